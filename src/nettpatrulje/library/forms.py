from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nettpatrulje.library.models import Tag

LANGUAGE_CHOICES = [
    ("en", "English"),
    ("nb", "Norsk bokmål"),
    ("fi", "Suomi"),
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("is", "Íslenska"),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, widget=forms.HiddenInput)


class ArticleForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 16}), max_length=50_000
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

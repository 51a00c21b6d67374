from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from nettpatrulje.reports.selectors import Filters, filter_choices


class FilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"), required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    operation = forms.TypedChoiceField(
        label=_("Operation"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = filter_choices(user)
        every = [("", _("All"))]
        self.fields["channel"].choices = every + [(c.pk, str(c)) for c in choices["channels"]]
        self.fields["category"].choices = every + choices["categories"]
        self.fields["country"].choices = every + [(c, c) for c in choices["countries"]]
        self.fields["platform"].choices = every + choices["platforms"]
        self.fields["operation"].choices = every + [(o.pk, o.name) for o in choices["operations"]]

    def filters(self, today: date) -> Filters:
        default = Filters.last_months(12, today=today)
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or default.start
        end = data.get("end") or default.end
        if end < start:
            start, end = end, start
        # A dashboard covers at most three years: the roll-ups answer it, the charts stay legible.
        start = max(start, end - timedelta(days=3 * 366))
        return Filters(
            start=start,
            end=end,
            channel=data.get("channel"),
            category=data.get("category") or "",
            country=data.get("country") or "",
            platform=data.get("platform") or "",
            operation=data.get("operation"),
        )


class ExampleForm(forms.Form):
    text = forms.CharField(
        label=_("Anonymised text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Rewrite the example so that nobody can be recognised: no names, handles, places, schools or ages."
        ),
        max_length=2000,
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    operation = forms.TypedChoiceField(
        label=_("Operation"), required=False, coerce=int, empty_value=None
    )
    message = forms.UUIDField(required=False, widget=forms.HiddenInput)

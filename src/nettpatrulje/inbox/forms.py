from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from nettpatrulje.inbox.models import Conversation, Priority
from nettpatrulje.inbox.selectors import InboxFilters


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class _Select(forms.Select):
    """Django's Select, the same HTML written out here: its templates (one
    include per option and per attribute list) cost more than the rest of
    the filter form, drawn with every inbox page."""

    def use_required_attribute(self, initial) -> bool:
        # Asked before the field's own `required` (BoundField.build_widget_attrs),
        # and Select answers by building the choices. The filters are optional.
        return False

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        values = self.format_value(value)
        parts = [f'<select name="{conditional_escape(name)}"{_attrs(attrs)}>']
        selected_one = False
        for option_value, option_label in self.choices:
            # One option selected at most, the first that matches (optgroups).
            selected = not selected_one and str(option_value) in values
            selected_one |= selected
            parts.append(
                f'\n  <option value="{conditional_escape(str(option_value))}"'
                f"{' selected' if selected else ''}>{conditional_escape(str(option_label))}</option>\n"
            )
        parts.append("\n</select>")
        # Every value above is escaped.
        return mark_safe("".join(parts))


class _TextInput(forms.TextInput):
    """Django's TextInput, the same HTML without its two templates."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = self.format_value(value)
        shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
        attrs = _attrs(self.build_attrs(self.attrs, attrs))
        # Every value is escaped.
        return mark_safe(
            f'<input type="{self.input_type}" name="{conditional_escape(name)}"{shown}{attrs}>'
        )


def _built_once(build: Callable[[], list]) -> Callable[[], list]:
    """Choices read lazily, like a callable's, but built once per form: a
    callable is called again each time the field validates or draws."""
    built: list = []

    def choices() -> list:
        if not built:
            built.append(build())
        return built[0]

    return choices


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Conversation.Status.choices),
        widget=_Select,
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"), required=False, coerce=int, empty_value=None, widget=_Select
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=_Select)
    label = forms.TypedChoiceField(
        label=_("Label"), required=False, coerce=int, empty_value=None, widget=_Select
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=_TextInput)

    def __init__(self, *args, channels=(), labels=(), colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is drawn or a filter is chosen: the live rows the
        # page polls need neither.
        self.fields["channel"].choices = _built_once(
            lambda: [("", _("All channels"))] + [(c.pk, str(c)) for c in channels]
        )
        self.fields["label"].choices = _built_once(
            lambda: [("", _("All labels"))] + [(lb.pk, lb.name) for lb in labels]
        )
        self.fields["assignee"].choices = _built_once(
            lambda: (
                [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))]
                + [(str(u.pk), u.display_name) for u in colleagues]
            )
        )

    def to_filters(self) -> InboxFilters:
        """The filters asked for. A value that is not valid (an old link, a label
        since deleted, a colleague who left) drops that filter alone, as the
        form draws it (its first choice): dropping them all showed the open
        queue unfiltered under the filters the officer had chosen."""
        if not self.is_bound:
            return InboxFilters()
        self.is_valid()
        data = self.cleaned_data  # the fields that are valid
        status = data.get("status", "") if "status" in self.data else "open"
        return InboxFilters(
            status=status or "",
            channel=data.get("channel"),
            assignee=data.get("assignee") or "",
            label=data.get("label"),
            q=(data.get("q") or "").strip(),
        )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class ConversationUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Conversation.Status.choices, required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, required=False, empty_value=None
    )
    assignee = forms.CharField(label=_("Assignee"), required=False)

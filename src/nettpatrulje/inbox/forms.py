from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nettpatrulje.inbox.models import Conversation, Priority
from nettpatrulje.inbox.selectors import InboxFilters


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + list(Conversation.Status.choices),
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"), required=False, coerce=int, empty_value=None
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    label = forms.TypedChoiceField(label=_("Label"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args, channels=(), labels=(), colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is drawn or a filter is chosen: the live rows the
        # page polls need neither.
        self.fields["channel"].choices = lambda: (
            [("", _("All channels"))] + [(c.pk, str(c)) for c in channels]
        )
        self.fields["label"].choices = lambda: (
            [("", _("All labels"))] + [(lb.pk, lb.name) for lb in labels]
        )
        self.fields["assignee"].choices = lambda: (
            [
                ("", _("Anyone")),
                ("me", _("Me")),
                ("none", _("Unassigned")),
            ]
            + [(str(u.pk), u.display_name) for u in colleagues]
        )

    def to_filters(self) -> InboxFilters:
        if not self.is_valid():
            return InboxFilters()
        data = self.cleaned_data
        status = data.get("status") if "status" in self.data else "open"
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

from __future__ import annotations

from django import forms
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.patrols.models import TOPICS, AgeBand, Concern, GamePlatform
from nettpatrulje.patrols.quickadd import QuickLine, parse

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OperationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating agencies"),
        queryset=Agency.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        choices=GamePlatform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    objectives = forms.CharField(
        label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class SlotForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    platform = forms.ChoiceField(label=_("Platform"), choices=GamePlatform.choices)
    day = forms.DateField(label=_("Day"), widget=DATE)
    start = forms.TimeField(label=_("From"), widget=TIME)
    end = forms.TimeField(label=_("To"), widget=TIME)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, operation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if operation is not None:
            self.fields["agency"].queryset = operation.participants.order_by("name")


class SessionStartForm(forms.Form):
    slot = forms.ModelChoiceField(label=_("Slot"), queryset=None, required=False)
    platform = forms.ChoiceField(label=_("Platform"), choices=GamePlatform.choices)
    game = forms.CharField(label=_("Game"), max_length=120, required=False)
    location = forms.CharField(label=_("Server, channel or lobby"), max_length=200, required=False)
    chat_channel = forms.ModelChoiceField(
        label=_("Collect chat from"),
        queryset=None,
        required=False,
        help_text=_(
            "Your Twitch stream or Discord server: its chat lines are kept with the session."
        ),
    )

    def __init__(self, *args, slots=None, chat_channels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["chat_channel"].queryset = chat_channels
        self.fields["chat_channel"].empty_label = _("No chat")
        self.fields["slot"].empty_label = _("Ad hoc (no slot)")
        self.fields["slot"].label_from_instance = lambda s: (
            f"{s.operation} · {s.get_platform_display()} · {localtime(s.starts_at):%a %d.%m %H:%M}"
        )


class QuickAddForm(forms.Form):
    line = forms.CharField(label=_("Quick add"), max_length=1000, required=False)
    handle = forms.CharField(label=_("Handle"), max_length=80, required=False)
    age_band = forms.ChoiceField(label=_("Age"), choices=AgeBand.choices, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=[(t, t) for t in TOPICS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    concern = forms.ChoiceField(
        label=_("Concern"), choices=Concern.choices, required=False, initial=Concern.NONE
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def clean(self):
        data = super().clean()
        parsed = parse(data.get("line") or "")
        topics = list(parsed.topics)
        topics += [t for t in data.get("topics") or [] if t not in topics]
        concern = data.get("concern") or Concern.NONE
        line = QuickLine(
            handle=data.get("handle") or parsed.handle,
            age_band=data.get("age_band") or parsed.age_band,
            topics=tuple(topics),
            concern=parsed.concern if concern == Concern.NONE else concern,
            note=" ".join(x for x in (parsed.note, data.get("note") or "") if x),
        )
        if line == QuickLine():
            raise forms.ValidationError(_("Type a quick-add line or fill in the fields."))
        data["parsed"] = line
        return data


class IncidentForm(forms.Form):
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    interaction = forms.ModelChoiceField(label=_("Interaction"), queryset=None, required=False)
    concern = forms.ChoiceField(label=_("Concern"), choices=Concern.choices, initial=Concern.HIGH)
    open_case = forms.BooleanField(
        label=_("Open a case in the inbox"), required=False, initial=True
    )

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interaction"].queryset = session.interactions.all() if session else None
        self.fields["interaction"].label_from_instance = lambda i: (
            f"@{i.handle} {i.at:%H:%M}" if i.handle else f"{i.at:%H:%M} {i.note[:40]}"
        )


class EndSessionForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    articles = forms.ModelMultipleChoiceField(
        label=_("Library articles used"), queryset=None, required=False
    )

    def __init__(self, *args, articles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = articles


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class GuidanceAskForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    context = forms.CharField(
        label=_("What the mentor needs to know (no names or numbers)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
    interaction = forms.IntegerField(required=False, widget=forms.HiddenInput)


class GuidanceAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    articles = forms.ModelMultipleChoiceField(
        label=_("Attach library articles"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, articles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = articles


class ReferralForm(forms.Form):
    to_agency = forms.ModelChoiceField(label=_("Refer to"), queryset=None)
    reason = forms.CharField(
        label=_("Why it belongs there"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    shared_text = forms.CharField(
        label=_("What is shared"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    redact = forms.BooleanField(
        label=_("Remove personal data (names of accounts, numbers, e-mail addresses)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = targets


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is declined"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

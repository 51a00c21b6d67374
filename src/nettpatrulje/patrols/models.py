"""Operations (action weeks), patrol slots and sessions, interactions, incidents,
guidance from mentors, cross-border referrals and in-app notifications.

All times are stored in UTC. Who may see what is decided in one place per model:
the `visible_to` of its queryset class below. The rules:

- Operation, Slot: the lead agency and every participating agency (the schedule
  is shared planning, not case data).
- PatrolSession, Interaction, Incident: only the officer's own agency. The lead
  agency of an operation additionally gets *counts and who-is-where* through
  `PatrolSessionQuerySet.aggregable_by` (live board, figures), never the rows'
  content (interactions, notes, summaries).
- GuidanceRequest: the asking agency and the agency it is addressed to.
- Referral: the sending and the receiving agency; each page shows the receiver
  only the shared snapshot (never the source conversation).
- Notification: its recipient.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet


def _agency_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "agency_id", None)


class GamePlatform(models.TextChoices):
    FORTNITE = "fortnite", "Fortnite"
    ROBLOX = "roblox", "Roblox"
    MINECRAFT = "minecraft", "Minecraft"
    DISCORD = "discord", "Discord"
    TWITCH = "twitch", "Twitch"
    STEAM = "steam", "Steam"
    OTHER = "other", _("Other")


class Concern(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AgeBand(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    UNDER_13 = "<13", _("Under 13")
    B13_15 = "13-15", "13–15"
    B16_17 = "16-17", "16–17"
    ADULT = "18+", "18+"


# Topic tags offered on the quick-add line; other #tags are kept as typed.
TOPICS = ["bullying", "sextortion", "grooming", "fraud", "hate", "self-harm", "gaming-culture"]


# --- Operations -------------------------------------------------------------------------


class OperationQuerySet(AgencyScopedQuerySet):
    agency_field = "lead"

    def visible_to(self, user: Any) -> OperationQuerySet:
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        ids = self.filter(Q(lead_id=agency_id) | Q(participants__id=agency_id)).values("pk")
        return self.filter(pk__in=ids)


class Operation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    lead = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_operations")
    participants = models.ManyToManyField(Agency, related_name="operations", blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    platforms = models.JSONField(default=list, blank=True)
    objectives = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        permissions = [("manage_operation", "Can plan and edit operations")]

    def __str__(self) -> str:
        return self.name

    @property
    def agency_id(self) -> int:  # for the audit trail
        return self.lead_id

    def platform_labels(self) -> list[str]:
        names = dict(GamePlatform.choices)
        return [str(names.get(p, p)) for p in self.platforms]


class SlotQuerySet(AgencyScopedQuerySet):
    def visible_to(self, user: Any) -> SlotQuerySet:
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        ops = Operation.objects.visible_to(user).values("pk")
        return self.filter(operation__in=ops)


class Slot(models.Model):
    """A planned patrol: one agency, one platform, a UTC interval entered in the
    agency's own time zone."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="slots")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(max_length=20, choices=GamePlatform.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "agency", "platform", "starts_at"], name="slot_unique"
            )
        ]


# --- Sessions -----------------------------------------------------------------------------


class PatrolSessionQuerySet(AgencyScopedQuerySet):
    def aggregable_by(self, user: Any) -> PatrolSessionQuerySet:
        """Own sessions, plus sessions of operations the user's agency leads — for
        counts and the live board only; views never render these rows' content."""
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        return self.filter(Q(agency_id=agency_id) | Q(operation__lead_id=agency_id))


class PatrolSession(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrol_sessions"
    )
    operation = models.ForeignKey(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    platform = models.CharField(max_length=20, choices=GamePlatform.choices)
    game = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True, help_text=_("Server, channel or lobby"))
    # A Discord server or Twitch channel whose chat lines belong to this session.
    chat_channel = models.ForeignKey(
        "channels.Channel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    articles = models.ManyToManyField("library.Article", blank=True, related_name="sessions")
    # Natural key for demo data and imports; blank for sessions started in the app.
    key = models.CharField(max_length=80, blank=True, default="")

    objects = PatrolSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["agency", "started_at"], name="session_recent")]

    def __str__(self) -> str:
        platform = str(self.get_platform_display())
        if not self.game or self.game.lower() == platform.lower():
            return platform
        return f"{platform} · {self.game}"

    @property
    def is_running(self) -> bool:
        return self.ended_at is None


class Interaction(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        PatrolSession, on_delete=models.CASCADE, related_name="interactions"
    )
    handle = models.CharField(max_length=80, blank=True, help_text=_("Pseudonym on the platform"))
    age_band = models.CharField(max_length=6, choices=AgeBand.choices, blank=True, default="")
    topics = models.JSONField(default=list, blank=True)
    concern = models.CharField(max_length=8, choices=Concern.choices, default=Concern.NONE)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at"]


class Incident(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(PatrolSession, on_delete=models.CASCADE, related_name="incidents")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    description = models.TextField()
    concern = models.CharField(max_length=8, choices=Concern.choices, default=Concern.HIGH)
    conversation = models.OneToOneField(
        "inbox.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]


class SessionComment(models.Model):
    """A mentor's remark on a finished session (own agency's sessions)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(PatrolSession, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]


# --- Guidance -------------------------------------------------------------------------------


class GuidanceQuerySet(AgencyScopedQuerySet):
    def visible_to(self, user: Any) -> GuidanceQuerySet:
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        return self.filter(Q(agency_id=agency_id) | Q(addressed_to_id=agency_id))


class GuidanceRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    addressed_to = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="guidance_received"
    )
    operation = models.ForeignKey(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="guidance"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guidance_asked"
    )
    session = models.ForeignKey(
        PatrolSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="guidance"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="guidance"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance",
    )
    # What the asker chose to tell the mentor: the mentor never opens the linked
    # session, interaction or conversation of another agency.
    context = models.TextField(blank=True)
    question = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guidance_answered",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    articles = models.ManyToManyField("library.Article", blank=True, related_name="guidance")
    key = models.CharField(max_length=80, blank=True, default="")

    objects = GuidanceQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at"]
        permissions = [("answer_guidance", "Can answer guidance requests")]

    @property
    def response_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.asked_at).total_seconds()


# --- Referrals ------------------------------------------------------------------------------


class ReferralQuerySet(AgencyScopedQuerySet):
    def visible_to(self, user: Any) -> ReferralQuerySet:
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        return self.filter(Q(agency_id=agency_id) | Q(to_agency_id=agency_id))


class Referral(models.Model):
    """A case handed to another country's police. State machine (services):
    sent → accepted | declined (with reason). The receiver sees only `shared_text`
    and the fields below it; on acceptance it gets its own case in its inbox."""

    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_received"
    )
    # Sender's side only.
    conversation = models.ForeignKey(
        "inbox.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Shared with the receiver.
    reason = models.TextField(help_text=_("Why this belongs to the other country"))
    shared_text = models.TextField()
    redacted = models.BooleanField(default=True)
    platform = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    # Receiver's side only: the case opened in its inbox on acceptance.
    received_conversation = models.OneToOneField(
        "inbox.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral_received",
    )
    key = models.CharField(max_length=80, blank=True, default="")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("refer_case", "Can refer a case to another agency")]


# --- Notifications -------------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=user.pk)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

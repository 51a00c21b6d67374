"""Contacts, conversations, messages, and the outbox that sends replies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet
from nettpatrulje.channels.models import Channel
from nettpatrulje.lib.text import make_inert

URGENCY_RANK = {"emergency": 0, "high": 1, "normal": 2, "low": 3}


class Priority(models.IntegerChoices):
    URGENT = 0, _("Emergency")
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class Contact(models.Model):
    """A person as a platform knows them: a pseudonymous, platform-scoped id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contacts")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="contacts")
    platform_id = models.CharField(max_length=128)
    display_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_id"], name="contact_unique_per_channel"
            )
        ]

    def __str__(self) -> str:
        # Names come from the platforms: untrusted, so shown inert.
        name = make_inert(self.display_name)
        return name or f"{self.channel.get_platform_display()} …{self.platform_id[-6:]}"


class Label(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=60)
    color = models.CharField(max_length=7, default="#5b6b7f")

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="label_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="conversations")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    # What makes a conversation one on its platform: the contact for Meta DMs,
    # a thread or channel id on platforms with threads.
    thread_key = models.CharField(max_length=128)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    # Triage summary: the most urgent of its messages.
    urgency = models.CharField(max_length=10, blank=True, default="")
    category = models.CharField(max_length=30, blank=True, default="")
    language = models.CharField(max_length=8, blank=True, default="")
    # Grooming/sextortion risk over the whole conversation (see triage.risk).
    risk_score = models.FloatField(default=0.0)
    risk_level = models.CharField(max_length=10, blank=True, default="")
    risk_signals = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # Since when the contact has been waiting for us; null when we answered last.
    waiting_since = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "thread_key"], name="conversation_unique_thread"
            )
        ]
        # The list is always ordered by (priority, waiting_since, -last_message_at):
        # with one status, or all, the first rows come straight from an index;
        # channel, assignee and label filters either narrow through their own
        # index or are checked along the ordered scan (docs/performance.md).
        indexes = [
            models.Index(
                fields=["agency", "status", "priority", "waiting_since", "-last_message_at"],
                name="conv_queue_order",
            ),
            models.Index(
                fields=["agency", "priority", "waiting_since", "-last_message_at"],
                name="conv_order",
            ),
            models.Index(
                fields=[
                    "agency",
                    "assignee",
                    "status",
                    "priority",
                    "waiting_since",
                    "-last_message_at",
                ],
                name="conv_assignee_order",
            ),
            models.Index(
                fields=[
                    "agency",
                    "channel",
                    "status",
                    "priority",
                    "waiting_since",
                    "-last_message_at",
                ],
                name="conv_channel_order",
            ),
            models.Index(fields=["agency", "last_message_at"], name="conv_recent"),
            # The backlog and who holds what: the few open conversations among a
            # year's closed ones, answered from the index alone.
            models.Index(
                fields=["agency", "assignee", "waiting_since", "created_at", "status"],
                condition=~models.Q(status="closed"),
                name="conv_open",
            ),
        ]
        permissions = [
            ("reply_conversation", "Can reply to a conversation"),
            ("add_note", "Can add internal notes"),
            ("assign_others", "Can assign conversations to others"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_status_display()})"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    text = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(null=True, blank=True)
    payload = models.CharField(max_length=1000, blank=True)
    platform_message_id = models.CharField(max_length=255, null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_automatic = models.BooleanField(default=False)
    # Why an automatic reply was sent: "emergency" or "out_of_hours".
    auto_purpose = models.CharField(max_length=20, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Instagram unsend: content hidden, the record and its audit trail stay.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Triage
    language = models.CharField(max_length=8, blank=True, default="")
    category = models.CharField(max_length=30, blank=True, default="")
    urgency = models.CharField(max_length=10, blank=True, default="")
    flags = models.JSONField(default=list, blank=True)
    pii = models.JSONField(default=list, blank=True)
    redacted_text = models.TextField(blank=True)
    triage_explanation = models.TextField(blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_message_id"], name="message_unique_platform_id"
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "sent_at"], name="msg_thread"),
            # Triage latency over the last minutes (/metrics).
            models.Index(
                fields=["triaged_at"], name="msg_triaged_in", condition=models.Q(direction="in")
            ),
        ]
        ordering = ["sent_at", "created_at"]

    @property
    def is_inbound(self) -> bool:
        return self.direction == self.Direction.INBOUND

    @property
    def display_text(self) -> str:
        return "" if self.deleted_at else self.text


class OutboxItem(models.Model):
    """A reply waiting to be sent. Created in the transaction that creates its
    message; the worker moves it queued → sending → sent/failed. An item found
    in `sending` after a crash is never sent again blindly: the platform's
    echo (which carries our id in its metadata) settles it, otherwise an
    officer checks it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CHECK = "check", _("Unknown: check on the platform")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbox")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="outbox")
    recipient_id = models.CharField(max_length=128)
    tag = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    @property
    def metadata(self) -> str:
        return f"nettpatrulje:outbox:{self.pk}"


class Note(models.Model):
    """Internal, never sent to the contact."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]


class CannedResponse(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="canned_responses")
    title = models.CharField(max_length=120)
    language = models.CharField(max_length=8)
    text = models.TextField()
    # Purpose: "" for ordinary templates, "emergency" / "out_of_hours" for automatic replies.
    purpose = models.CharField(max_length=20, blank=True, default="")

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title", "language"]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

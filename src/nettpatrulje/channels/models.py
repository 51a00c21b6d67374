"""Channels (an agency's page or account on a platform) and the raw events
they deliver. Raw events are the durable record of what a platform sent us:
stored before we acknowledge, processed afterwards, never dropped."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet
from nettpatrulje.lib.crypto import EncryptedJSONField


class Platform(models.TextChoices):
    MESSENGER = "messenger", "Facebook Messenger"
    INSTAGRAM = "instagram", "Instagram"
    DISCORD = "discord", "Discord"
    TWITCH = "twitch", "Twitch"
    WIDGET = "widget", _("Web chat")
    INTERNAL = "internal", _("Internal case")


class Channel(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="channels")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    # What the platform names us by: the page id (Messenger), the professional account
    # id (Instagram), the application id (Discord), the broadcaster user id (Twitch),
    # a public key (widget).
    account_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    # Not secret: e.g. Discord public key and server id, Twitch client id, widget origins.
    config = models.JSONField(default=dict, blank=True)
    # Tokens and signing secrets, encrypted at rest (lib.crypto).
    secrets = EncryptedJSONField(blank=True, default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    needs_reconnect = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_send_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "account_id"], name="channel_unique_account"
            )
        ]
        ordering = ["agency", "platform", "name"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.name or self.account_id}"

    @property
    def access_token(self) -> str:
        return self.secrets.get("access_token", "")

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.secrets = {**self.secrets, "access_token": value}

    def secret(self, name: str) -> str:
        return self.secrets.get(name, "")


class WebhookEvent(models.Model):
    """One delivery from a platform, exactly as received."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        PROCESSED = "processed", _("Processed")
        DUPLICATE = "duplicate", _("Duplicate")
        UNROUTED = "unrouted", _("No channel configured")
        IGNORED = "ignored", _("Stored, not handled")
        FAILED = "failed", _("Failed")

    source = models.CharField(max_length=20, db_index=True)  # "meta", "discord", "twitch", "widget"
    # The platform's own id of this delivery where it has one (Twitch-Eventsub-Message-Id):
    # a redelivery is recognised at the door.
    delivery_id = models.CharField(max_length=128, null=True, blank=True)
    channel = models.ForeignKey(
        Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    body = models.BinaryField()
    headers = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # The event row is the queue (services.webhook_events_claim): a worker claims
    # pending events for a lease; one that dies leaves them to be claimed again
    # once the lease has run out.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Account ids the event named when no channel matched: what an admin must configure.
    unrouted_accounts = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"], name="event_status_received")]
        constraints = [
            models.UniqueConstraint(fields=["source", "delivery_id"], name="event_unique_delivery")
        ]
        permissions = [("view_unrouted", "Can see events no channel is configured for")]

    def __str__(self) -> str:
        return f"{self.source} event {self.pk} ({self.status})"


class StreamChatLine(models.Model):
    """One line of public chat during a stream (Twitch) or in a watched server
    channel. Kept as chat lines, triaged, and raised to a conversation only when
    an officer is needed."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="chat_lines")
    platform_message_id = models.CharField(max_length=128)
    author_id = models.CharField(max_length=128)
    author_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    language = models.CharField(max_length=8, blank=True)
    category = models.CharField(max_length=30, blank=True)
    urgency = models.CharField(max_length=10, blank=True)
    flags = models.JSONField(default=list, blank=True)
    redacted_text = models.TextField(blank=True)
    # Set when the line needed an officer and opened (or joined) a conversation.
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The patrol session running on this channel when the line arrived (patrols app).
    session_ref = models.CharField(max_length=64, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_message_id"], name="chatline_unique_platform_id"
            )
        ]
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.redacted_text[:40]}"

"""The audit trail: append-only, each record's hash covering the previous one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet


class AppendOnlyQuerySet(AgencyScopedQuerySet):
    """The trail is append-only through the ORM; tampering at the database level
    is what `nettpatrulje audit verify` detects."""

    def update(self, **kwargs):
        raise PermissionError("audit records cannot be changed")

    def delete(self):
        raise PermissionError("audit records cannot be deleted")


class AuditRecord(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)  # kept if the user is renamed
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        permissions = [
            ("view_trail", "Can search and export the audit trail"),
            ("view_access_log", "Can see who opened a conversation"),
            ("export_evidence", "Can export evidence"),
            ("manage_retention", "Can see retention plans and place legal holds"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records cannot be deleted")


class RetentionPolicy(models.Model):
    """How long an agency keeps closed conversations of one category (or of all: "")."""

    class Action(models.TextChoices):
        DELETE = "delete", _("Delete")
        ANONYMISE = "anonymise", _("Anonymise (keep figures, remove content and identity)")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="retention_policies")
    category = models.CharField(max_length=30, blank=True, help_text="empty: every category")
    keep_days = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.DELETE)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "category"], name="retention_one_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.slug}/{self.category or '*'}: {self.keep_days} days → {self.action}"


class LegalHold(models.Model):
    """While a hold is active, retention never touches the conversation."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"hold on {self.conversation_id}"


class RetentionRun(models.Model):
    """One run of the daily retention job: when, and how much it removed."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    deleted = models.PositiveIntegerField(default=0)
    anonymised = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"retention run {self.started_at:%Y-%m-%d}"

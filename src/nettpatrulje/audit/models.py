"""The audit trail: append-only, each record's hash covering the previous one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records cannot be deleted")

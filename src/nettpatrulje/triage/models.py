"""What the product keeps about triage: emergency alerts and officers' corrections.
The engine itself (the rest of this package) knows nothing of Django."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet


class EmergencyAlert(models.Model):
    """Raised the moment a message is triaged `emergency`; shown on every page
    of the agency's supervisors until one of them acknowledges it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.CASCADE, related_name="alerts"
    )
    message = models.OneToOneField("inbox.Message", on_delete=models.CASCADE, related_name="alert")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("acknowledge_alert", "Can acknowledge emergency alerts")]


class TriageCorrection(models.Model):
    """An officer's correction of one message's triage, with what the engine said."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(
        "inbox.Message", on_delete=models.CASCADE, related_name="corrections"
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(default=timezone.now, db_index=True)
    predicted = models.JSONField()  # {"language", "category", "urgency", "flags"} before
    corrected = models.JSONField()  # the same keys after

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-corrected_at"]

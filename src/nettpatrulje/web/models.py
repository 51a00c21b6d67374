from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """Written by every running `nettpatrulje worker`; /healthz reads its age."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(default=timezone.now)


class ServerErrorCount(models.Model):
    """How many 5xx answers all app server processes gave, per status; read by /metrics."""

    status = models.PositiveSmallIntegerField(unique=True)
    count = models.BigIntegerField(default=0)

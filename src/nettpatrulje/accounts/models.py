"""Agencies, the people who work in them, and API tokens."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.scoping import AgencyScopedQuerySet


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    MENTOR = "mentor", _("Mentor")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class Agency(models.Model):
    """A police agency. Every piece of case data belongs to exactly one."""

    slug = models.SlugField(unique=True, max_length=40)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    timezone = models.CharField(
        max_length=64, default="Europe/Oslo", validators=[validate_timezone]
    )
    language = models.CharField(max_length=8, default="en")
    # {"mon": [["08:00", "15:30"]], ...}; absent day = closed.
    opening_hours = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    language = models.CharField(max_length=8, blank=True, default="")
    timezone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_timezone]
    )

    def has_role(self, *roles: str) -> bool:
        names = {g.name for g in self.groups.all()}
        return bool(names.intersection(roles))

    @property
    def roles(self) -> list[str]:
        return sorted(g.name for g in self.groups.all())

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def interface_language(self) -> str:
        """The language to address this user in outside a request of theirs (a
        notification caused by someone else): their own, else their agency's."""
        from django.conf import settings

        languages = {code for code, _name in settings.LANGUAGES}
        for code in (self.language, self.agency.language if self.agency_id else ""):
            if code in languages:
                return code
        return settings.LANGUAGE_CODE


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = AgencyScopedQuerySet.as_manager()

    def is_usable(self, now=None) -> bool:
        now = now or dj_timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

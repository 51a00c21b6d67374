"""Writes on agencies, users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from nettpatrulje.accounts.models import Agency, ApiToken, Role, User, validate_timezone

DEFAULT_OPENING_HOURS = {day: [["09:00", "15:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@transaction.atomic
def agency_create(
    *,
    slug: str,
    name: str,
    country: str,
    timezone_name: str = "Europe/Oslo",
    language: str = "en",
    opening_hours: dict | None = None,
) -> Agency:
    validate_timezone(timezone_name)
    agency, _created = Agency.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "country": country.upper(),
            "timezone": timezone_name,
            "language": language,
            "opening_hours": opening_hours if opening_hours is not None else DEFAULT_OPENING_HOURS,
        },
    )
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    agency: Agency | None,
    roles: list[str],
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
    is_superuser: bool = False,
) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    user, _ = User.objects.get_or_create(username=username, defaults={"agency": agency})
    user.agency = agency
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.language = language
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=r)[0] for r in roles])
    return user


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Returns the stored token and the raw secret, which is never stored."""
    raw = "np_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        agency=user.agency,
        name=name,
        prefix=raw[:10],
        token_hash=_hash_token(raw),
        expires_at=expires_at,
    )
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__agency")
        .filter(token_hash=_hash_token(raw))
        .first()
    )
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())

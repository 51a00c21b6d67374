"""Two-factor login: TOTP devices (django-otp) and single-use recovery codes."""

from __future__ import annotations

import secrets

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nettpatrulje.accounts.models import User
from nettpatrulje.audit.services import audit_log

RECOVERY_CODES = 10


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def totp_pending(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one per user, replaced if abandoned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    # Rendered here, as inline SVG markup: no image service, no script.
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#10263f")


def secret_base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_confirm(
    *, user: User, device: TOTPDevice, code: str, ip: str | None = None
) -> list[str] | None:
    """Confirm the device with a code from the app. Returns fresh recovery codes, shown once."""
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_regenerate(user=user)
    audit_log(action="auth.2fa_enrolled", actor=user, agency_id=user.agency_id, ip=ip)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify_any(user: User, code: str):
    """The device that accepts this code (TOTP or a recovery code, which is used up), or None."""
    code = code.strip().replace(" ", "")
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(code):
            return device
    return None

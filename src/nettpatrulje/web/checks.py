"""Fail fast on a production set-up that is missing its secrets."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def production_secrets(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.DEMO_MODE or settings.TESTING:
        return []
    required = {
        "META_APP_SECRET": settings.META_APP_SECRET,
        "META_VERIFY_TOKEN": settings.META_VERIFY_TOKEN,
        "NETTPATRULJE_ENCRYPTION_KEYS": settings.NETTPATRULJE_ENCRYPTION_KEYS,
    }
    return [
        checks.Error(
            f"{name} is not set",
            hint="See docs/security.md, 'Keys and secrets'.",
            id=f"nettpatrulje.E00{i}",
        )
        for i, (name, value) in enumerate(required.items(), start=1)
        if not value
    ]

"""Secrets at rest: channel tokens and signing secrets are encrypted with keys
from the environment, never stored in clear text.

`NETTPATRULJE_ENCRYPTION_KEYS` holds one or more Fernet keys, comma-separated,
newest first: data is encrypted with the first and decrypted with any, so a
key is rotated by prepending a new one and running
`nettpatrulje channels reencrypt` before the old one is removed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.NETTPATRULJE_ENCRYPTION_KEYS.split(",") if k.strip()]
    if not keys:
        if not (settings.DEBUG or settings.DEMO_MODE or settings.TESTING):
            raise ImproperlyConfigured("NETTPATRULJE_ENCRYPTION_KEYS is not set")
        # Development only: a key derived from SECRET_KEY.
        digest = hashlib.sha256(b"nettpatrulje-secrets:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a stored secret cannot be decrypted with the configured keys"
        ) from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()


class EncryptedJSONField(models.TextField):
    """A dict of secrets, stored as one Fernet token."""

    def from_db_value(self, value: str | None, expression, connection) -> dict:
        if not value:
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> dict:
        if isinstance(value, dict):
            return value
        if not value:
            return {}
        return json.loads(decrypt(value))

    def get_prep_value(self, value: Any) -> str:
        if not value:
            return ""
        return encrypt(json.dumps(value, sort_keys=True))

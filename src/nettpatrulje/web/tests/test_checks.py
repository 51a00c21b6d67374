from __future__ import annotations

from nettpatrulje.web.checks import production_secrets


def test_production_without_secrets_is_refused(settings):
    settings.DEBUG = settings.DEMO_MODE = settings.TESTING = False
    settings.META_APP_SECRET = ""
    settings.NETTPATRULJE_ENCRYPTION_KEYS = ""
    ids = {e.msg for e in production_secrets(None)}
    assert "META_APP_SECRET is not set" in ids
    assert "NETTPATRULJE_ENCRYPTION_KEYS is not set" in ids


def test_complete_production_settings_pass(settings):
    settings.DEBUG = settings.DEMO_MODE = settings.TESTING = False
    settings.META_APP_SECRET = "s"
    settings.META_VERIFY_TOKEN = "t"
    settings.NETTPATRULJE_ENCRYPTION_KEYS = "k"
    assert production_secrets(None) == []

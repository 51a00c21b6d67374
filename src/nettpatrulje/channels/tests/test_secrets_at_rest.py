from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from nettpatrulje.channels.models import Channel
from nettpatrulje.lib import crypto

pytestmark = pytest.mark.django_db


def test_tokens_are_encrypted_in_the_database(channel):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM channels_channel WHERE id = %s", [channel.pk])
        stored = cursor.fetchone()[0]
    assert "page-token" not in stored
    assert Channel.objects.get(pk=channel.pk).access_token == "page-token"


def test_key_rotation_keeps_old_data_readable(settings, channel):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.NETTPATRULJE_ENCRYPTION_KEYS = old_key
    crypto._fernet.cache_clear()
    channel.access_token = "rotated-token"
    channel.save()
    settings.NETTPATRULJE_ENCRYPTION_KEYS = f"{new_key},{old_key}"
    crypto._fernet.cache_clear()
    assert Channel.objects.get(pk=channel.pk).access_token == "rotated-token"
    settings.NETTPATRULJE_ENCRYPTION_KEYS = new_key
    crypto._fernet.cache_clear()
    with pytest.raises(Exception, match="cannot be decrypted"):
        Channel.objects.get(pk=channel.pk)
    crypto._fernet.cache_clear()

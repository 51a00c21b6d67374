from __future__ import annotations

import pytest

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.channels.models import Channel
from nettpatrulje.testing.factories import AgencyFactory, ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, agency):
    client.force_login(UserFactory(username="adm", agency=agency, roles=["admin"]))
    return client


def test_admin_connects_a_discord_channel_with_encrypted_secret(admin_client, agency):
    r = admin_client.post(
        "/admin/channels/new?platform=discord",
        {
            "platform": "discord",
            "account_id": "123456",
            "name": "Kripos Discord",
            "config_public_key": "ab" * 32,
            "config_guild_id": "999",
            "config_watched_channel_ids": "1, 2",
            "secret_bot_token": "bot-secret-token",
        },
    )
    assert r.status_code == 302
    channel = Channel.objects.get(platform="discord")
    assert channel.agency == agency
    assert channel.config == {
        "public_key": "ab" * 32,
        "guild_id": "999",
        "watched_channel_ids": ["1", "2"],
    }
    assert channel.secret("bot_token") == "bot-secret-token"
    record = AuditRecord.objects.get(action="channel.save")
    assert "bot-secret-token" not in str(record.detail)


def test_edit_keeps_secret_when_left_empty_and_never_shows_it(admin_client, channel):
    page = admin_client.get(f"/admin/channels/{channel.pk}/edit").content.decode()
    assert "page-token" not in page
    admin_client.post(
        f"/admin/channels/{channel.pk}/edit",
        {"account_id": "PAGE1", "name": "Ny", "secret_access_token": ""},
    )
    channel.refresh_from_db()
    assert channel.name == "Ny" and channel.access_token == "page-token"


def test_new_token_clears_reconnect_flag(admin_client, channel):
    Channel.objects.filter(pk=channel.pk).update(needs_reconnect=True)
    admin_client.post(
        f"/admin/channels/{channel.pk}/edit",
        {"account_id": "PAGE1", "secret_access_token": "fresh"},
    )
    channel.refresh_from_db()
    assert not channel.needs_reconnect and channel.access_token == "fresh"


def test_disable_and_enable(admin_client, channel):
    admin_client.post(f"/admin/channels/{channel.pk}/toggle")
    channel.refresh_from_db()
    assert channel.status == "disabled"
    admin_client.post(f"/admin/channels/{channel.pk}/toggle")
    channel.refresh_from_db()
    assert channel.status == "active"


def test_duplicate_account_refused(admin_client, channel):
    r = admin_client.post(
        "/admin/channels/new?platform=messenger", {"platform": "messenger", "account_id": "PAGE1"}
    )
    assert r.status_code == 200
    assert Channel.objects.count() == 1


def test_other_agencys_channel_is_404(admin_client):
    other = ChannelFactory(agency=AgencyFactory(slug="poliisi", country="FI"))
    assert admin_client.get(f"/admin/channels/{other.pk}/edit").status_code == 404
    assert admin_client.post(f"/admin/channels/{other.pk}/toggle").status_code == 404


def test_officer_cannot_administer(officer_client, channel):
    assert officer_client.get(f"/admin/channels/{channel.pk}/edit").status_code == 403
    assert officer_client.get("/admin/channels/").status_code == 403


def test_health_table(admin_client, channel):
    html = admin_client.get("/admin/channels/").content.decode()
    assert "PAGE1" in html

"""The interactions endpoint: Ed25519 signatures, PING, /help and /tip."""

from __future__ import annotations

import json

import pytest
from nacl.signing import SigningKey

from nettpatrulje.channels.fakediscord import (
    FakeDiscordServer,
    recorded,
    sign_interaction,
    snowflake,
)
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.inbox.services import conversation_reply

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"
GUILD = "1181000000000000001"
WATCHED = "1182000000000000001"
DM = "1183000000000000001"
USER = "1184000000000000001"
URL = "/webhooks/discord"


@pytest.fixture
def key():
    return SigningKey.generate()


@pytest.fixture
def fake_discord(settings):
    server = FakeDiscordServer().start()
    settings.DISCORD_API_URL = server.api_url
    yield server
    server.stop()


@pytest.fixture
def discord_channel(agency, key, fake_discord):
    agency.opening_hours = {d: [["09:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    agency.save()
    return channel_create(
        agency=agency,
        platform="discord",
        account_id=APP,
        config={
            "public_key": key.verify_key.encode().hex(),
            "guild_id": GUILD,
            "watched_channel_ids": [WATCHED],
        },
        secrets={"bot_token": "bot-token"},
    )


def post(client, payload: dict | bytes, key: SigningKey | None, headers: dict | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signed = sign_interaction(key, body) if key else {}
    return client.post(
        URL, data=body, content_type="application/json", headers={**signed, **(headers or {})}
    )


def test_ping_is_answered_with_pong(client, discord_channel, key):
    r = post(client, recorded("interaction_ping"), key)
    assert r.status_code == 200
    assert r.json() == {"type": 1}
    assert WebhookEvent.objects.count() == 0


def test_missing_signature_is_401(client, discord_channel):
    r = post(client, recorded("interaction_ping"), None)
    assert r.status_code == 401


def test_forged_signature_is_401(client, discord_channel):
    r = post(client, recorded("interaction_ping"), SigningKey.generate())
    assert r.status_code == 401


def test_signature_over_another_timestamp_is_401(client, discord_channel, key):
    body = json.dumps(recorded("interaction_ping")).encode()
    headers = sign_interaction(key, body, timestamp="1717409730")
    headers["X-Signature-Timestamp"] = "1717409731"
    r = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert r.status_code == 401


def test_altered_body_is_401(client, discord_channel, key):
    body = json.dumps(recorded("interaction_ping")).encode()
    headers = sign_interaction(key, body)
    altered = body.replace(b'"type": 1', b'"type": 2')
    r = client.post(URL, data=altered, content_type="application/json", headers=headers)
    assert r.status_code == 401


def test_garbage_signature_is_401(client, discord_channel):
    r = post(
        client,
        recorded("interaction_ping"),
        None,
        headers={"X-Signature-Ed25519": "zz", "X-Signature-Timestamp": "1"},
    )
    assert r.status_code == 401


def test_unknown_application_is_401(client, discord_channel, key):
    payload = {**recorded("interaction_ping"), "application_id": "42"}
    assert post(client, payload, key).status_code == 401


def test_malformed_json_is_400(client, discord_channel, key):
    assert post(client, b"{not json", key).status_code == 400


def test_oversize_is_413(client, discord_channel, key):
    body = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    assert post(client, body, key).status_code == 413


@pytest.mark.parametrize("kind", [3, 4, 5, 99, None])
def test_unsupported_interaction_type_is_400_not_500(client, discord_channel, key, kind):
    payload = {**recorded("interaction_ping"), "type": kind}
    r = post(client, payload, key)
    assert r.status_code == 400
    assert "unsupported interaction type" in r.json()["error"]


def test_get_is_not_allowed(client, discord_channel):
    assert client.get(URL).status_code == 405


def test_help_in_norwegian(client, discord_channel, key):
    r = post(client, recorded("interaction_help"), key)  # locale "no"
    assert r.status_code == 200
    data = r.json()
    assert data["type"] == 4
    assert data["data"]["flags"] == 64  # ephemeral: only the asker sees it
    content = data["data"]["content"]
    assert "nettpatrulje" in content.lower()
    assert "112" in content
    assert "09:00–15:00" in content
    assert "nødetat" in content or "nødtjeneste" in content
    assert "02800" in content
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "fi", "ja", None])
def test_help_in_english_otherwise(client, discord_channel, key, locale):
    payload = {**recorded("interaction_help"), "locale": locale}
    content = post(client, payload, key).json()["data"]["content"]
    assert "online patrol" in content
    assert "not an emergency service" in content
    assert "112" in content
    assert "09:00–15:00" in content


def test_unknown_command_is_answered_not_failed(client, discord_channel, key):
    payload = recorded("interaction_help")
    payload["data"]["name"] = "dance"
    r = post(client, payload, key)
    assert r.status_code == 200
    assert r.json()["data"]["flags"] == 64


def fresh(name: str) -> dict:
    # Created now: the inbox's reply window would refuse replies to an old one.
    return {**recorded(name), "id": snowflake()}


def test_tip_from_server_opens_dm_and_a_conversation(client, discord_channel, key, fake_discord):
    payload = fresh("interaction_tip_guild")
    r = post(client, payload, key)
    assert r.status_code == 200
    data = r.json()
    assert data["type"] == 4 and data["data"]["flags"] == 64
    assert "112" in data["data"]["content"]
    dm_channel = fake_discord.state.dm_channels[USER]
    event = WebhookEvent.objects.get()
    assert event.source == "discord"
    assert event.status == WebhookEvent.Status.PROCESSED
    message = Message.objects.get(direction="in")
    assert message.text == "/tip En voksen i en Roblox-gruppe ber jenter om bilder"
    assert message.platform_message_id == payload["id"]
    conversation = message.conversation
    assert conversation.thread_key == dm_channel
    assert conversation.contact.platform_id == USER

    # The officer's reply goes to the DM.
    conversation_reply(conversation=conversation, author=None, text="Hei, takk for tipset!")
    last = fake_discord.state.sent[-1]
    assert (last["channel_id"], last["content"]) == (dm_channel, "Hei, takk for tipset!")


def test_tip_and_later_dm_share_the_conversation(client, discord_channel, key, fake_discord):
    from nettpatrulje.channels.discord_bot import Relay

    post(client, recorded("interaction_tip_guild"), key)
    frame = recorded("message_create_dm")
    frame["d"]["channel_id"] = fake_discord.state.dm_channels[USER]
    Relay.for_channel(discord_channel).relay(frame)
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(direction="in").count() == 2


def test_tip_in_dm_uses_the_dm_channel(client, discord_channel, key, fake_discord):
    r = post(client, recorded("interaction_tip_dm"), key)  # locale en-GB
    assert "direct message" in r.json()["data"]["content"]
    conversation = Conversation.objects.get()
    assert conversation.thread_key == DM
    assert Message.objects.get().text == "/tip"
    assert fake_discord.state.dm_channels == {}  # no REST call needed


def test_tip_when_dm_cannot_be_opened_falls_back_to_user_key(
    client, discord_channel, key, fake_discord, settings
):
    settings.DISCORD_API_URL = "http://127.0.0.1:9/api/v10"  # Discord unreachable
    r = post(client, fresh("interaction_tip_guild"), key)
    assert r.status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.thread_key == f"user:{USER}"
    # When Discord is back, the sender opens the DM itself.
    settings.DISCORD_API_URL = fake_discord.api_url
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    sent = fake_discord.state.sent
    assert sent[0]["channel_id"] == fake_discord.state.dm_channels[USER]


def test_same_tip_delivered_twice_is_one_message(client, discord_channel, key):
    post(client, recorded("interaction_tip_guild"), key)
    post(client, recorded("interaction_tip_guild"), key)
    assert Message.objects.filter(direction="in").count() == 1

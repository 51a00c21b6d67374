"""Values the fuzz tests found breaking the webhooks or the worker, one by one:
a message with a bad value in it is still taken in, with the value made harmless."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from nettpatrulje.channels import twitch
from nettpatrulje.channels.discord_bot import decode_frame
from nettpatrulje.channels.fakehelix import deliver
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import channel_create, webhook_event_store
from nettpatrulje.inbox.models import Message
from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"


def _recent(moment: datetime) -> bool:
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


def test_meta_timestamp_of_infinity_is_read_as_now(client, channel):
    event = text_event("U1", "PAGE1", "hei", mid="m_inf")
    event["timestamp"] = math.inf  # Python reads `Infinity` in JSON
    assert signed_post(client, json.dumps(envelope("PAGE1", event)).encode()).status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED
    assert _recent(Message.objects.get().sent_at)


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\ud83d"])
def test_meta_text_with_nul_or_half_an_emoji_is_kept_marked(client, channel, bad):
    payload = envelope("PAGE1", text_event("U1", "PAGE1", f"hei {bad} du", mid="m_bad"))
    assert signed_post(client, json.dumps(payload).encode()).status_code == 200
    assert Message.objects.get().text == "hei \ufffd du"


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_meta_account_id_that_no_database_can_hold_is_unrouted(client, channel, bad):
    payload = envelope(f"PAGE{bad}", text_event("U1", "PAGE1", "hei"))
    assert signed_post(client, json.dumps(payload).encode()).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.UNROUTED
    assert event.unrouted_accounts == ["PAGE\ufffd"]


def _discord_event(d: dict) -> WebhookEvent:
    body = {"application_id": APP, "t": "MESSAGE_CREATE", "d": d}
    event = webhook_event_store(source="discord", body=json.dumps(body).encode(), headers={})
    event.refresh_from_db()
    return event


@pytest.fixture
def discord_channel(agency):
    return channel_create(agency=agency, platform="discord", account_id=APP)


DM = {
    "id": "1247483310000000001",
    "channel_id": "1183000000000000001",
    "author": {"id": "1184000000000000001", "username": "mia"},
    "content": "hei",
}


def test_discord_message_type_that_is_a_list_is_ignored(discord_channel):
    event = _discord_event({**DM, "type": [0]})
    assert event.status == WebhookEvent.Status.IGNORED
    assert not Message.objects.exists()


def test_discord_time_that_overflows_in_utc_is_read_as_now(discord_channel):
    event = _discord_event({**DM, "timestamp": "0001-01-01T00:00:00+14:00"})
    assert event.status == WebhookEvent.Status.PROCESSED
    assert _recent(Message.objects.get().sent_at)


def test_discord_frame_nested_too_deeply_is_dropped():
    assert decode_frame('{"op": 0, "t": "MESSAGE_CREATE", "d": ' + "[" * 50_000) is None


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_discord_interaction_for_an_impossible_application_id_is_401(client, bad):
    body = json.dumps({"application_id": bad, "type": 1}).encode()
    headers = {"X-Signature-Ed25519": "00" * 64, "X-Signature-Timestamp": "1"}
    response = client.post(
        "/webhooks/discord", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 401


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_twitch_body_for_an_impossible_broadcaster_is_403(client, twitch_channel, bad):
    payload = {"subscription": {"type": twitch.CHAT_MESSAGE, "condition": {"user_id": bad}}}
    assert deliver(client, payload, "secret-of-b100-0123456789").status_code == 403


@pytest.mark.parametrize(
    "url", ["/webhooks/meta", "/webhooks/twitch", "/webhooks/discord"], ids=lambda u: u[10:]
)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_json_in_another_encoding_than_utf8_is_refused(client, url, encoding):
    body = '{"object": "page", "entry": []}'.encode(encoding)
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code in {400, 401, 403}  # no signature, or not UTF-8
    assert not WebhookEvent.objects.exists()


def test_meta_json_in_utf16_is_400_even_when_signed(client, channel):
    response = signed_post(client, '{"object": "page", "entry": []}'.encode("utf-16"))
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_twitch_subscription_fields_the_database_cannot_hold_are_marked(
    client, twitch_channel, bad
):
    sub = {"type": f"x{bad}", "id": bad, "status": bad, "condition": {"user_id": "B100"}}
    secret = "secret-of-b100-0123456789"
    verify = {"subscription": sub, "challenge": "c-1"}
    response = deliver(client, verify, secret, message_type=twitch.MESSAGE_VERIFICATION)
    assert response.status_code == 200
    response = deliver(
        client, {"subscription": sub}, secret, message_type=twitch.MESSAGE_REVOCATION
    )
    assert response.status_code == 200
    twitch_channel.refresh_from_db()
    assert twitch_channel.config["subscriptions"]["x\ufffd"]["status"] == "\ufffd"
    assert twitch_channel.needs_reconnect

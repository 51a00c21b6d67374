"""Only Twitch gets in: the signature over id + timestamp + raw body, with the
channel's own secret, from no older than ten minutes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from nettpatrulje.channels import twitch
from nettpatrulje.channels.fakehelix import chat_message_payload, deliver, rfc3339, signed_request
from nettpatrulje.channels.models import Platform, StreamChatLine, WebhookEvent
from nettpatrulje.channels.services import channel_create

pytestmark = pytest.mark.django_db
SECRET = "secret-of-b100-0123456789"


def _post(client, raw: bytes, headers: dict[str, str]):
    headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    return client.post(
        "/webhooks/twitch", data=raw, content_type="application/json", headers=headers
    )


def test_valid_signature_is_stored_and_applied(client, twitch_channel):
    r = deliver(client, chat_message_payload("B100", "U1", "gg"), SECRET, message_id="m-1")
    assert r.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.source, event.delivery_id, event.status) == ("twitch", "m-1", "processed")
    assert event.channel == twitch_channel
    assert event.headers[twitch.H_TYPE] == "notification"
    assert StreamChatLine.objects.get().text == "gg"


def test_forged_signature_is_403_and_stores_nothing(client, twitch_channel):
    r = deliver(client, chat_message_payload("B100", "U1", "gg"), "not-the-secret")
    assert r.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_another_channels_secret_does_not_sign_for_this_one(client, agency, twitch_channel):
    channel_create(
        agency=agency,
        platform=Platform.TWITCH,
        account_id="B200",
        secrets={"eventsub_secret": "secret-of-b200-0123456789"},
    )
    payload = chat_message_payload("B100", "U1", "gg")
    assert deliver(client, payload, "secret-of-b200-0123456789").status_code == 403


@pytest.mark.parametrize(
    "missing", [twitch.H_SIGNATURE, twitch.H_ID, twitch.H_TIMESTAMP], ids=["sig", "id", "ts"]
)
def test_missing_header_is_403(client, twitch_channel, missing):
    raw, headers = signed_request(chat_message_payload("B100", "U1", "gg"), SECRET)
    del headers[missing]
    assert _post(client, raw, headers).status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_altered_body_is_403(client, twitch_channel):
    raw, headers = signed_request(chat_message_payload("B100", "U1", "gg"), SECRET)
    assert _post(client, raw.replace(b"gg", b"GG"), headers).status_code == 403


def test_altered_message_id_is_403(client, twitch_channel):
    """The id is signed too: a replay under a fresh id to dodge de-duplication fails."""
    raw, headers = signed_request(chat_message_payload("B100", "U1", "gg"), SECRET)
    headers[twitch.H_ID] = "another-id"
    assert _post(client, raw, headers).status_code == 403


def test_signature_over_raw_bytes_with_non_ascii(client, twitch_channel):
    payload = chat_message_payload("B100", "U1", "hei på deg 😀 ÆØÅ")
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    r = deliver(client, payload, SECRET, body=raw)
    assert r.status_code == 200
    assert StreamChatLine.objects.get().text == "hei på deg 😀 ÆØÅ"


def test_no_channel_for_the_broadcaster_is_403(client, twitch_channel):
    assert deliver(client, chat_message_payload("B999", "U1", "gg"), SECRET).status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_channel_without_secret_refuses(client, agency):
    channel_create(agency=agency, platform=Platform.TWITCH, account_id="B300")
    payload = chat_message_payload("B300", "U1", "gg")
    assert deliver(client, payload, "").status_code == 403


def test_message_older_than_ten_minutes_is_refused(client, twitch_channel):
    old = rfc3339(datetime.now(UTC) - timedelta(minutes=10, seconds=5))
    r = deliver(client, chat_message_payload("B100", "U1", "gg"), SECRET, timestamp=old)
    assert r.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_message_nine_minutes_old_is_accepted(client, twitch_channel):
    recent = rfc3339(datetime.now(UTC) - timedelta(minutes=9))
    r = deliver(client, chat_message_payload("B100", "U1", "gg"), SECRET, timestamp=recent)
    assert r.status_code == 200


def test_future_timestamp_beyond_skew_is_refused(client, twitch_channel):
    future = rfc3339(datetime.now(UTC) + timedelta(minutes=5))
    r = deliver(client, chat_message_payload("B100", "U1", "gg"), SECRET, timestamp=future)
    assert r.status_code == 403


def test_small_clock_skew_is_accepted(client, twitch_channel):
    ahead = rfc3339(datetime.now(UTC) + timedelta(seconds=20))
    r = deliver(client, chat_message_payload("B100", "U1", "gg"), SECRET, timestamp=ahead)
    assert r.status_code == 200


@pytest.mark.parametrize("value", ["yesterday", "2024-13-45T99:00:00Z", "1700000000", ""])
def test_unparseable_timestamp_is_refused(client, twitch_channel, value):
    raw, headers = signed_request(chat_message_payload("B100", "U1", "gg"), SECRET)
    headers[twitch.H_TIMESTAMP] = value
    headers[twitch.H_SIGNATURE] = twitch.sign(headers[twitch.H_ID], value, raw, SECRET)
    assert _post(client, raw, headers).status_code == 403


def test_timestamp_with_offset_and_nanoseconds():
    moment = twitch.parse_timestamp("2024-02-23T22:12:33.771005262+01:00")
    assert moment == datetime(2024, 2, 23, 21, 12, 33, 771005, tzinfo=UTC)


def test_malformed_json_is_400(client, twitch_channel):
    raw = b'{"subscription": '
    _, headers = signed_request({}, SECRET, body=raw)
    assert _post(client, raw, headers).status_code == 400


def test_oversize_body_is_413(client, twitch_channel, settings):
    settings.WEBHOOK_MAX_BYTES = 1000
    payload = chat_message_payload("B100", "U1", "x" * 2000)
    assert deliver(client, payload, SECRET).status_code == 413


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/twitch").status_code == 405

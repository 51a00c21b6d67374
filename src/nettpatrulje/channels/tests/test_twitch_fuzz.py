"""Whatever a correctly signed body holds, the webhook never answers 500, and the
worker settles what was stored without raising."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from nettpatrulje.channels import twitch
from nettpatrulje.channels.fakehelix import (
    challenge_payload,
    chat_message_payload,
    revocation_payload,
    signed_request,
    subscription,
    whisper_payload,
)
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message
from nettpatrulje.testing.fuzz import (
    assert_clear_answer,
    assert_events_settled,
    encode_json,
    fuzz_settings,
    is_utf8_json,
    isolated_example,
    json_values,
    last_event_pk,
    mutations,
    not_json,
    worker_crashes,
)

TWITCH_SECRET = "secret-of-b100-0123456789"  # the twitch_channel fixture's

ids = st.sampled_from(["B100", 100, None, "", ["B100"], {"id": "B100"}])
events = st.dictionaries(
    st.sampled_from(
        [
            "broadcaster_user_id",
            "chatter_user_id",
            "chatter_user_name",
            "message_id",
            "message",
            "from_user_id",
            "to_user_id",
            "whisper_id",
            "whisper",
            "message_type",
        ]
    ),
    json_values | ids,
)
# Arbitrary bodies that name the test channel, so that they get past the secret lookup.
twitch_like = st.fixed_dictionaries(
    {
        "subscription": st.fixed_dictionaries(
            {
                "type": st.sampled_from(
                    [twitch.CHAT_MESSAGE, twitch.WHISPER_MESSAGE, "channel.follow", "", 5]
                ),
                "condition": st.fixed_dictionaries({"broadcaster_user_id": st.just("B100")})
                | st.fixed_dictionaries({"user_id": st.just("B100")}),
            },
            optional={"status": json_values, "id": json_values},
        )
    },
    optional={"event": events | json_values, "challenge": json_values},
)
message_types = st.sampled_from(
    [twitch.MESSAGE_NOTIFICATION, twitch.MESSAGE_VERIFICATION, twitch.MESSAGE_REVOCATION, "x"]
)
REALISTIC = [
    chat_message_payload("B100", "U7", "noen truer meg", message_id="c-1"),
    whisper_payload("B100", "U7", "kan dere hjelpe?", whisper_id="w-1"),
    challenge_payload(subscription(twitch.CHAT_MESSAGE, {"broadcaster_user_id": "B100"}), "ch-1"),
    revocation_payload(
        subscription(twitch.WHISPER_MESSAGE, {"user_id": "B100"}), "authorization_revoked"
    ),
]


def _deliver(payload, message_type: str, *, body: bytes | None = None):
    raw, headers = signed_request(payload, TWITCH_SECRET, message_type=message_type, body=body)
    headers.pop("Content-Type")
    response = Client().post(
        "/webhooks/twitch", data=raw, content_type="application/json", headers=headers
    )
    return raw, response


def _deliver_and_check(payload, message_type: str, body: bytes) -> None:
    since = last_event_pk()
    with worker_crashes() as crashes:
        raw, response = _deliver(payload, message_type, body=body)
    assert_clear_answer(response, {200, 400, 403}, raw)
    if response.status_code == 200 and message_type != twitch.MESSAGE_VERIFICATION:
        data = response.json()
        if data["status"] == "stored":
            assert bytes(WebhookEvent.objects.get(pk=data["event"]).body) == raw
    assert_events_settled(since, crashes)


@pytest.mark.django_db
@example(  # the channel lookup once failed on these (PostgreSQL refuses NUL)
    payload={"subscription": {"type": "x", "condition": {"broadcaster_user_id": "\ud800"}}},
    message_type=twitch.MESSAGE_NOTIFICATION,
    ascii_only=True,
)
@example(
    payload={"subscription": {"type": "x", "condition": {"broadcaster_user_id": "\x00"}}},
    message_type=twitch.MESSAGE_NOTIFICATION,
    ascii_only=True,
)
@fuzz_settings(100)
@given(payload=twitch_like | json_values, message_type=message_types, ascii_only=st.booleans())
def test_signed_arbitrary_json_never_500(twitch_channel, payload, message_type, ascii_only):
    with isolated_example():
        _deliver_and_check(payload, message_type, encode_json(payload, ascii_only=ascii_only))
        if not (isinstance(payload, dict) and isinstance(payload.get("event"), dict)):
            assert not Message.objects.exists()


@pytest.mark.django_db
@fuzz_settings(120)
@given(
    payload=st.sampled_from(REALISTIC).flatmap(mutations),
    message_type=message_types,
    ascii_only=st.booleans(),
)
def test_realistic_payloads_with_wrong_types_never_crash(
    twitch_channel, payload, message_type, ascii_only
):
    with isolated_example():
        _deliver_and_check(payload, message_type, encode_json(payload, ascii_only=ascii_only))


@pytest.mark.django_db
@fuzz_settings(30)
@given(body=not_json)
def test_bodies_that_are_not_utf8_json_are_400_or_403(twitch_channel, body):
    """Refused either way: without JSON there is no channel, so no secret to verify
    with (403), or it is not JSON (400)."""
    with isolated_example():
        raw, response = _deliver(None, twitch.MESSAGE_NOTIFICATION, body=body)
        if not is_utf8_json(body):
            assert_clear_answer(response, {400, 403}, raw)
            assert not WebhookEvent.objects.exists()

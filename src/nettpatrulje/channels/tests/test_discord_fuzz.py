"""Whatever a correctly signed interaction or a Gateway frame holds: a clear
answer, never a 500, and a worker that settles what was stored without raising."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from nettpatrulje.channels.discord_bot import Relay, decode_frame
from nettpatrulje.channels.fakediscord import recorded, sign_interaction
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import channel_create
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
    strings,
    worker_crashes,
)

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"
GUILD = "1181000000000000001"
WATCHED = "1182000000000000001"
URL = "/webhooks/discord"
# Fixed, so that examples are the same on every run.
KEY = SigningKey(b"\x07" * 32)

INTERACTIONS = [
    recorded(name)
    for name in (
        "interaction_ping",
        "interaction_help",
        "interaction_tip_dm",
        "interaction_tip_guild",
    )
]
FRAMES = [
    recorded(name)
    for name in (
        "message_create_dm",
        "message_create_thread",
        "message_create_watched_channel",
        "message_create_attachments",
        "message_update",
        "message_delete",
    )
]


@pytest.fixture
def discord_channel(agency, settings):
    settings.DISCORD_API_URL = "http://127.0.0.1:9"  # opening a DM fails at once: no network
    return channel_create(
        agency=agency,
        platform="discord",
        account_id=APP,
        config={
            "public_key": KEY.verify_key.encode().hex(),
            "guild_id": GUILD,
            "watched_channel_ids": [WATCHED],
        },
        secrets={"bot_token": "bot-token"},
    )


def _post(client, body: bytes):
    headers = sign_interaction(KEY, body, timestamp="1717409730")
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def _post_and_check(client, body: bytes, allowed: set[int]) -> None:
    since = last_event_pk()
    with worker_crashes() as crashes:
        response = _post(client, body)
    assert_clear_answer(response, allowed, body)
    assert_events_settled(since, crashes)


# An arbitrary object naming our application gets past the key lookup.
ours = st.dictionaries(strings, json_values, max_size=6).map(lambda d: {**d, "application_id": APP})


@example(payload={"application_id": "\x00", "type": 1}, ascii_only=True)
@example(payload={"application_id": "\ud800", "type": 1}, ascii_only=True)
@fuzz_settings(80)
@given(payload=json_values | ours, ascii_only=st.booleans())
def test_arbitrary_interactions_get_a_clear_answer(client, discord_channel, payload, ascii_only):
    body = encode_json(payload, ascii_only=ascii_only)
    with isolated_example():
        _post_and_check(client, body, {200, 400, 401})
        assert not Message.objects.exists()


@fuzz_settings(100)
@given(payload=st.sampled_from(INTERACTIONS).flatmap(mutations), ascii_only=st.booleans())
def test_realistic_interactions_with_wrong_types_never_crash(
    client, discord_channel, payload, ascii_only
):
    body = encode_json(payload, ascii_only=ascii_only)
    with isolated_example():
        _post_and_check(client, body, {200, 400, 401})


@fuzz_settings(30)
@given(body=not_json)
def test_interaction_bodies_that_are_not_utf8_json_are_400(client, discord_channel, body):
    with isolated_example():
        response = _post(client, body)
        if not is_utf8_json(body):
            assert_clear_answer(response, {400}, body)
            assert not WebhookEvent.objects.exists()
        else:
            assert_clear_answer(response, {200, 400, 401}, body)


# --- Gateway frames, relayed by the bot process -----------------------------------

arbitrary_frames = st.builds(
    lambda t, d: {"op": 0, "t": t, "d": d},
    st.sampled_from(["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"]),
    st.dictionaries(strings, json_values, max_size=6)
    | st.fixed_dictionaries(
        {"guild_id": st.sampled_from([GUILD, None]), "channel_id": st.just(WATCHED)},
        optional={"author": json_values, "content": json_values, "id": json_values},
    ),
)


@pytest.fixture
def relay(discord_channel):
    relay = Relay.for_channel(discord_channel)
    relay.bot_user_id = "1180000000000000999"
    return relay


def _relay_and_check(relay, frame, *, parent_id: str | None) -> None:
    since = last_event_pk()
    with worker_crashes() as crashes:
        relay.relay(frame, parent_id=parent_id)
    assert_events_settled(since, crashes)


@fuzz_settings(80)
@given(frame=arbitrary_frames, as_text=st.booleans(), parent=st.sampled_from([None, WATCHED]))
def test_arbitrary_gateway_frames_never_crash_the_relay_or_worker(relay, frame, as_text, parent):
    raw = encode_json(frame) if as_text else frame
    with isolated_example():
        _relay_and_check(relay, raw, parent_id=parent)


@fuzz_settings(100)
@given(
    frame=st.sampled_from(FRAMES).flatmap(mutations),
    ascii_only=st.booleans(),
    parent=st.sampled_from([None, WATCHED]),
)
def test_realistic_gateway_frames_with_wrong_types_never_crash(relay, frame, ascii_only, parent):
    with isolated_example():
        _relay_and_check(relay, encode_json(frame, ascii_only=ascii_only), parent_id=parent)


@fuzz_settings(50)
@given(raw=not_json | st.text(max_size=50).map(lambda s: '{"t": "MESSAGE_' + s))
def test_gateway_frames_that_are_not_json_are_dropped(raw):
    assert decode_frame(raw) is None

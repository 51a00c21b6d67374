"""Every parser in the registry, fed stored events the request path would never
store: the worker settles each one (processed, ignored, unrouted or failed with
the error kept) and never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nettpatrulje.channels import twitch
from nettpatrulje.channels.base import ParseError
from nettpatrulje.channels.models import Platform, WebhookEvent
from nettpatrulje.channels.registry import PARSERS
from nettpatrulje.channels.services import channel_create, webhook_event_store
from nettpatrulje.testing.fuzz import (
    STORAGE_BREAKERS,
    assert_events_settled,
    encode_json,
    fuzz_settings,
    isolated_example,
    json_values,
    last_event_pk,
    leaf_variants,
    worker_crashes,
)
from nettpatrulje.testing.meta import envelope, text_event

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"
T = 1717400000000


# One small stored body of each kind every parser reads (the fields it reads and
# little else: every place in them is swept with every breaker).
STORED = {
    "meta": [
        envelope(
            "PAGE1",
            text_event(
                "U1",
                "PAGE1",
                "Noen truer meg",
                mid="m_1",
                attachments=[{"type": "image", "payload": {"url": "https://cdn.example/a.jpg"}}],
                reply_to={"mid": "m_0"},
                quick_reply={"payload": "YES"},
            ),
        ),
        envelope(
            "PAGE1",
            {
                "sender": {"id": "PAGE1"},
                "recipient": {"id": "U1"},
                "timestamp": T,
                "message": {"mid": "m_2", "is_echo": True, "text": "svar", "metadata": "x"},
            },
            {"sender": {"id": "U1"}, "timestamp": T, "delivery": {"mids": ["m_2"], "watermark": T}},
            {"sender": {"id": "U1"}, "timestamp": T, "read": {"watermark": T}},
            {
                "sender": {"id": "U1"},
                "timestamp": T,
                "postback": {"title": "Start", "payload": "GO"},
            },
        ),
    ],
    twitch.SOURCE: [
        {
            "subscription": {
                "type": twitch.CHAT_MESSAGE,
                "condition": {"broadcaster_user_id": "B100"},
            },
            "event": {
                "broadcaster_user_id": "B100",
                "chatter_user_id": "U7",
                "chatter_user_name": "Ola",
                "message_id": "c-1",
                "message": {"text": "noen truer meg"},
                "message_type": "text",
            },
        },
        {
            "subscription": {"type": twitch.WHISPER_MESSAGE, "condition": {"user_id": "B100"}},
            "event": {
                "from_user_id": "U7",
                "from_user_name": "Ola",
                "to_user_id": "B100",
                "whisper_id": "w-1",
                "whisper": {"text": "kan dere hjelpe?"},
            },
        },
    ],
    "discord": [
        {
            "application_id": APP,
            "t": "MESSAGE_CREATE",
            "scope": "channel",
            "d": {
                "id": "1247483310000000001",
                "type": 0,
                "channel_id": "1182000000000000001",
                "guild_id": "1181000000000000001",
                "timestamp": "2024-06-03T10:15:30.123000+00:00",
                "content": "hei",
                "author": {"id": "1184000000000000001", "username": "mia", "global_name": "Mia"},
                "attachments": [
                    {"id": "1", "filename": "a.png", "content_type": "image/png", "size": 10}
                ],
                "sticker_items": [{"id": "2", "name": "wave"}],
                "message_reference": {"message_id": "1247483310000000000"},
            },
        },
        {
            "application_id": APP,
            "t": "MESSAGE_UPDATE",
            "d": {
                "id": "1247483310000000001",
                "channel_id": "1183000000000000001",
                "content": "hei igjen",
                "edited_timestamp": "2024-06-03T10:16:30.123000+00:00",
                "author": {"id": "1184000000000000001", "username": "mia"},
            },
        },
        {
            "application_id": APP,
            "t": "MESSAGE_DELETE_BULK",
            "d": {"ids": ["1247483310000000001"], "channel_id": "1183000000000000001"},
        },
        {
            "application_id": APP,
            "t": "INTERACTION_CREATE",
            "dm_channel_id": "1183000000000000001",
            "d": {
                "id": "1247483320000000003",
                "type": 2,
                "guild_id": "1181000000000000001",
                "channel_id": "1182000000000000001",
                "data": {"name": "tip", "options": [{"name": "message", "value": "en tips"}]},
                "member": {"user": {"id": "1184000000000000001", "username": "mia"}},
            },
        },
    ],
    "widget": [
        {
            "widget_key": "wk_test",
            "visitor": "v_abc",
            "client_id": "c-0001-abcdef",
            "text": "hei",
            "sent_at": "2026-06-03T10:15:30+00:00",
        }
    ],
}


@pytest.fixture
def channels(agency):
    for platform, account in [
        (Platform.MESSENGER, "PAGE1"),
        (Platform.TWITCH, "B100"),
        (Platform.DISCORD, APP),
        (Platform.WIDGET, "wk_test"),
    ]:
        channel_create(agency=agency, platform=platform, account_id=account)


def test_every_parser_has_stored_examples():
    assert set(STORED) == set(PARSERS)


def _store_and_check(source: str, body: bytes) -> None:
    since = last_event_pk()
    with worker_crashes() as crashes:
        webhook_event_store(source=source, body=body, headers={})
    assert_events_settled(since, crashes)


@pytest.mark.parametrize("source", sorted(STORED))
def test_parsers_raise_nothing_but_parse_error(source):
    """Any other exception is a parser bug: the worker keeps the event as failed,
    but the item a parser should have returned (or skipped) is lost."""
    for payload in STORED[source]:
        for variant in leaf_variants(payload):
            try:
                _, items = PARSERS[source](json.loads(encode_json(variant)))
            except ParseError:
                continue
            for item in items:
                item.storable()


@pytest.mark.parametrize("source", sorted(STORED))
def test_every_value_in_a_stored_event_with_every_storage_breaker(channels, source):
    for payload in STORED[source]:
        for variant in leaf_variants(payload, STORAGE_BREAKERS, leaves_only=True):
            with isolated_example():
                _store_and_check(source, encode_json(variant))


@fuzz_settings(100)
@given(source=st.sampled_from(sorted(PARSERS)), payload=json_values)
def test_arbitrary_stored_json(channels, source, payload):
    with isolated_example():
        _store_and_check(source, encode_json(payload))


@fuzz_settings(50)
@given(source=st.sampled_from(sorted(PARSERS)), body=st.binary(max_size=100))
def test_arbitrary_stored_bytes(channels, source, body):
    """A body stored by an older version, or damaged: failed, with the reason."""
    with isolated_example():
        _store_and_check(source, body)
        event = WebhookEvent.objects.order_by("-pk").first()
        try:
            json.loads(body)
        except ValueError:
            assert event.status == WebhookEvent.Status.FAILED

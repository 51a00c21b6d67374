"""Whatever a correctly signed Meta body holds, the webhook answers 200 or 400,
keeps what it acknowledged, and the worker settles it without raising."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db

T = 1717400000000  # ms, as Meta sends it


def _event(kind: str, body: dict, sender: str = "U1", recipient: str = "PAGE1") -> dict:
    return {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": T, kind: body}


REALISTIC = [
    envelope("PAGE1", text_event("U1", "PAGE1", "Noen truer meg på Snapchat", mid="m_1")),
    envelope(
        "PAGE1",
        text_event(
            "U1",
            "PAGE1",
            "se bildet",
            mid="m_2",
            attachments=[
                {"type": "image", "payload": {"url": "https://cdn.example/a.jpg"}},
                {"type": "image", "payload": {"sticker_id": 369239263222822}},
            ],
            reply_to={"mid": "m_1"},
            quick_reply={"payload": "YES"},
        ),
    ),
    envelope(
        "PAGE1",
        _event(
            "message",
            {"mid": "m_3", "is_echo": True, "text": "Hei, dette er politiet", "metadata": "x"},
            sender="PAGE1",
            recipient="U1",
        ),
    ),
    envelope(
        "PAGE1",
        _event(
            "message",
            {
                "mid": "m_4",
                "is_echo": True,
                "text": "svar",
                "metadata": "nettpatrulje:outbox:0b9f1f8e-2d7c-4a57-9d65-4d7f3c1e2a10",
            },
            sender="PAGE1",
            recipient="U1",
        ),
    ),
    envelope("PAGE1", _event("message", {"mid": "m_1", "is_deleted": True})),
    envelope("PAGE1", _event("postback", {"mid": "m_5", "title": "Start", "payload": "GO"})),
    envelope("PAGE1", _event("delivery", {"mids": ["m_3"], "watermark": T})),
    envelope("PAGE1", _event("read", {"watermark": T})),
    envelope("PAGE1", text_event("U2", "PAGE1", "hei fra Instagram", mid="m_6"), obj="instagram"),
    {
        "object": "page",
        "entry": [{"id": "PAGE1", "time": T, "standby": [text_event("U1", "PAGE1", "x")]}],
    },
]


def _post_and_check(client, body: bytes) -> list[WebhookEvent]:
    since = last_event_pk()
    with worker_crashes() as crashes:
        response = signed_post(client, body)
    assert_clear_answer(response, {200, 400}, body)
    if response.status_code == 200:
        event = WebhookEvent.objects.get(pk=response.json()["event"])
        assert bytes(event.body) == body  # kept exactly as received
    else:
        assert not is_utf8_json(body)
    return assert_events_settled(since, crashes)


@fuzz_settings(100)
@given(payload=json_values, ascii_only=st.booleans())
def test_arbitrary_json_is_kept_and_opens_nothing(client, channel, payload, ascii_only):
    body = encode_json(payload, ascii_only=ascii_only)
    with isolated_example():
        _post_and_check(client, body)
        assert not Message.objects.exists()


@fuzz_settings(120)
@given(payload=st.sampled_from(REALISTIC).flatmap(mutations), ascii_only=st.booleans())
def test_realistic_payloads_with_wrong_types_never_crash(client, channel, payload, ascii_only):
    body = encode_json(payload, ascii_only=ascii_only)
    with isolated_example():
        _post_and_check(client, body)


@fuzz_settings(40)
@given(body=not_json)
def test_bodies_that_are_not_utf8_json_are_400(client, channel, body):
    with isolated_example():
        response = signed_post(client, body)
        if is_utf8_json(body):
            assert_clear_answer(response, {200}, body)
        else:
            assert_clear_answer(response, {400}, body)
            assert not WebhookEvent.objects.exists()

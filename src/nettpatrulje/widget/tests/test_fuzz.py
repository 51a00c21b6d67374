"""Whatever a visitor's browser (or anyone holding a valid token) sends: a clear
answer, never a 500, and a worker that settles what was accepted."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message
from nettpatrulje.testing.fuzz import (
    NASTY_STRINGS,
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

REALISTIC = [
    {"client_id": "c-0001-abcdef", "text": "Hei, noen deler bilder av meg"},
    {"client_id": "c-0002-abcdef", "text": "😀 hjelp"},
]


@pytest.fixture
def visitor(visitor, settings):
    # Every example sends as the same visitor: no rate limit may answer first.
    settings.WIDGET_MESSAGE_RATE = (10**9, 60)
    settings.WIDGET_POLL_RATE = (10**9, 60)
    return visitor


def _send_and_check(visitor, body: bytes) -> None:
    since = last_event_pk()
    with worker_crashes() as crashes:
        response = visitor.send("", "", raw=body)
    assert_clear_answer(response, {202, 400, 413}, body)
    events = assert_events_settled(since, crashes)
    if response.status_code == 202:
        assert len(events) == 1  # what was accepted is stored
        assert events[0].status == WebhookEvent.Status.PROCESSED, events[0].error
    else:
        assert not events


@fuzz_settings(80)
@given(payload=json_values, ascii_only=st.booleans())
def test_arbitrary_json_messages_get_a_clear_answer(visitor, payload, ascii_only):
    with isolated_example():
        _send_and_check(visitor, encode_json(payload, ascii_only=ascii_only))


@fuzz_settings(100)
@given(
    payload=st.sampled_from(REALISTIC).flatmap(mutations)
    | st.builds(
        lambda text: {"client_id": "c-0003-abcdef", "text": text},
        strings | st.sampled_from(NASTY_STRINGS),
    ),
    ascii_only=st.booleans(),
)
def test_messages_with_odd_text_or_wrong_types_never_crash(visitor, payload, ascii_only):
    with isolated_example():
        _send_and_check(visitor, encode_json(payload, ascii_only=ascii_only))


@fuzz_settings(30)
@given(body=not_json)
def test_bodies_that_are_not_utf8_json_are_refused(visitor, body):
    with isolated_example():
        response = visitor.send("", "", raw=body)
        if not body.strip():
            assert_clear_answer(response, {400}, body)  # {} has no client_id
        elif not is_utf8_json(body):
            assert_clear_answer(response, {400, 413}, body)
        assert not WebhookEvent.objects.exists()
        assert not Message.objects.exists()


@fuzz_settings(30)
@given(payload=json_values, ascii_only=st.booleans())
def test_session_with_any_body_gets_a_clear_answer(widget_api, payload, ascii_only):
    body = encode_json(payload, ascii_only=ascii_only)
    with isolated_example():
        response = widget_api.client.post(
            f"/widget/api/session?key={widget_api.key}",
            data=body,
            content_type="application/json",
            headers=widget_api.headers(),
        )
        assert_clear_answer(response, {200, 201, 400, 413}, body)


@fuzz_settings(30)
@given(after=st.binary(max_size=40) | strings.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_any_cursor_gets_a_clear_answer(visitor, after):
    """Any bytes, percent-encoded: also those that are not UTF-8."""
    with isolated_example():
        response = visitor.client.get(
            f"/widget/api/messages?key={visitor.key}&after={quote_from_bytes(after)}",
            headers=visitor.headers(),
        )
        assert_clear_answer(response, {200, 400}, after)

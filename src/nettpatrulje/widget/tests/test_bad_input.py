"""Oversize, malformed and invalid requests are refused with clear JSON errors."""

from __future__ import annotations

import json

import pytest

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message

pytestmark = pytest.mark.django_db


def test_text_over_2000_characters_is_413(visitor):
    response = visitor.send("x" * 2001, "client-long-0001")
    assert response.status_code == 413
    assert response.json()["error"] == "too_long"
    assert response.json()["max_length"] == 2000
    assert visitor.send("ø" * 2000, "client-long-0002").status_code == 202  # exactly at the limit


def test_huge_body_is_413(visitor):
    raw = json.dumps({"client_id": "client-huge-0001", "text": "a" * 100_000}).encode()
    assert visitor.send("", "", raw=raw).status_code == 413


def test_malformed_json_is_400(visitor):
    response = visitor.send("", "", raw=b'{"client_id": "abc')
    assert response.status_code == 400
    assert response.json()["error"] == "bad_json"
    assert visitor.send("", "", raw=b"[1, 2]").status_code == 400
    assert visitor.send("", "", raw=b"[" * 100_00).status_code in (400, 413)


@pytest.mark.parametrize(
    "payload",
    [
        {"client_id": "short", "text": "hei"},
        {"client_id": "has spaces in it", "text": "hei"},
        {"client_id": 12345678, "text": "hei"},
        {"text": "hei"},
        {"client_id": "client-0000001", "text": "   "},
        {"client_id": "client-0000001", "text": ["hei"]},
    ],
)
def test_invalid_fields_are_400(visitor, payload):
    assert visitor.send("", "", raw=json.dumps(payload).encode()).status_code == 400


def test_refused_requests_store_nothing(visitor):
    visitor.send("x" * 2001, "client-long-0001")
    visitor.send("", "", raw=b"{nope")
    assert not WebhookEvent.objects.exists()


def test_bad_cursor_is_400(visitor):
    assert visitor.messages(after="yesterday").status_code == 400
    assert visitor.messages(after="9" * 40).status_code == 400


def test_wrong_method_is_405(client, widget_channel):
    response = client.get("/widget/api/session?key=wk_test_kripos")
    assert response.status_code == 405


def test_half_an_emoji_in_text_is_kept_marked_not_500(visitor):
    # JSON.stringify in a browser escapes a lone surrogate (an emoji cut in half).
    raw = b'{"client_id": "client-half-0001", "text": "hei \\ud83d"}'
    assert visitor.send("", "", raw=raw).status_code == 202
    assert Message.objects.get().text == "hei \ufffd"

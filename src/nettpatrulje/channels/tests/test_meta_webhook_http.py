"""The webhook's HTTP contract: handshake, signatures, bad input."""

from __future__ import annotations

import json

import pytest

from nettpatrulje.channels.meta import sign
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.testing.meta import encode, envelope, signed_post, text_event

pytestmark = pytest.mark.django_db


def test_handshake_echoes_challenge(client):
    r = client.get(
        "/webhooks/meta",
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "test-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert r.status_code == 200
    assert r.content == b"1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "x"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "x"},
        {},
    ],
)
def test_handshake_refused(client, params):
    assert client.get("/webhooks/meta", params).status_code == 403


def test_missing_signature_is_403_and_stores_nothing(client, channel):
    body = encode(envelope("PAGE1", text_event("U1", "PAGE1", "hei")))
    r = client.post("/webhooks/meta", data=body, content_type="application/json")
    assert r.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_forged_signature_is_403(client, channel):
    body = encode(envelope("PAGE1", text_event("U1", "PAGE1", "hei")))
    r = client.post(
        "/webhooks/meta",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, "another-secret")},
    )
    assert r.status_code == 403


def test_signature_of_altered_body_is_403(client, channel):
    body = encode(envelope("PAGE1", text_event("U1", "PAGE1", "hei")))
    header = sign(body, "test-app-secret")
    r = client.post(
        "/webhooks/meta",
        data=body.replace(b"hei", b"hai"),
        content_type="application/json",
        headers={"X-Hub-Signature-256": header},
    )
    assert r.status_code == 403


def test_signature_is_checked_over_raw_escaped_bytes(client, channel):
    """Meta signs the body with non-ASCII escaped; re-serialising would break the check."""
    payload = envelope("PAGE1", text_event("U1", "PAGE1", "jeg bor på Ålesund, Tromsø ÆØÅ 😀"))
    body = json.dumps(payload, ensure_ascii=True).encode()
    assert b"\\u00e5" in body
    r = client.post(
        "/webhooks/meta",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, "test-app-secret")},
    )
    assert r.status_code == 200
    event = WebhookEvent.objects.get()
    assert bytes(event.body) == body


def test_malformed_json_is_400(client):
    r = signed_post(client, b'{"object": "page", "entry": [')
    assert r.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_oversize_body_is_413(client):
    body = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    r = signed_post(client, body)
    assert r.status_code == 413
    assert WebhookEvent.objects.count() == 0


def test_valid_event_is_stored_and_acknowledged(client, channel):
    r = signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "hei")))
    assert r.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.source == "meta"
    assert event.headers["X-Hub-Signature-256"].startswith("sha256=")
    assert event.status == WebhookEvent.Status.PROCESSED


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "x",
        1,
        None,
        {"object": "page"},
        {"object": "page", "entry": "x"},
        {"object": "page", "entry": [{"messaging": [1, "x", None]}]},
    ],
)
def test_odd_json_shapes_never_500(client, payload):
    body = json.dumps(payload).encode()
    r = signed_post(client, body)
    assert r.status_code == 200
    assert WebhookEvent.objects.get().status in {"failed", "ignored", "unrouted"}


def test_unknown_object_kept_as_failed(client):
    r = signed_post(client, {"object": "whatsapp_business_account", "entry": []})
    assert r.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == WebhookEvent.Status.FAILED
    assert "unsupported object" in event.error


def test_method_not_allowed(client):
    assert client.put("/webhooks/meta").status_code == 405

"""Twitch redelivers with the same Twitch-Eventsub-Message-Id: stored once,
answered 2xx every time, also when the copies race each other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from nettpatrulje.channels.fakehelix import chat_message_payload, deliver, signed_request
from nettpatrulje.channels.models import StreamChatLine, WebhookEvent

SECRET = "secret-of-b100-0123456789"


@pytest.mark.django_db
def test_sequential_redelivery_is_stored_once(client, twitch_channel):
    payload = chat_message_payload("B100", "U1", "gg", message_id="chat-1")
    first = deliver(client, payload, SECRET, message_id="delivery-1")
    second = deliver(client, payload, SECRET, message_id="delivery-1")
    assert first.status_code == 200 and first.json()["status"] == "stored"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert WebhookEvent.objects.count() == 1
    assert StreamChatLine.objects.count() == 1


@pytest.mark.django_db
def test_same_chat_line_under_new_delivery_id_is_one_line(client, twitch_channel):
    """Belt and braces: a line is also unique by its own message id."""
    payload = chat_message_payload("B100", "U1", "gg", message_id="chat-1")
    deliver(client, payload, SECRET, message_id="delivery-1")
    deliver(client, payload, SECRET, message_id="delivery-2")
    assert WebhookEvent.objects.count() == 2
    assert StreamChatLine.objects.count() == 1
    assert sorted(WebhookEvent.objects.values_list("status", flat=True)) == [
        "duplicate",
        "processed",
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_redeliveries_are_stored_once(twitch_channel):
    payload = chat_message_payload("B100", "U1", "gg", message_id="chat-race")
    raw, headers = signed_request(payload, SECRET, message_id="delivery-race")
    headers.pop("Content-Type")
    n = 6
    barrier = threading.Barrier(n)
    statuses: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            r = Client().post(
                "/webhooks/twitch", data=raw, content_type="application/json", headers=headers
            )
            statuses.append((r.status_code, r.json()["status"]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(code == 200 for code, _ in statuses) and len(statuses) == n
    assert sorted(s for _, s in statuses) == ["duplicate"] * (n - 1) + ["stored"]
    assert WebhookEvent.objects.count() == 1
    assert StreamChatLine.objects.count() == 1

"""Concurrent redeliveries of one message: exactly one message, one conversation."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import webhook_event_process
from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.testing.meta import encode, envelope, text_event


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_message(channel):
    body = encode(envelope("PAGE1", text_event("U1", "PAGE1", "hjelp", mid="m_race")))
    events = [WebhookEvent.objects.create(source="meta", body=body) for _ in range(4)]
    barrier = threading.Barrier(len(events))
    errors: list[BaseException] = []

    def work(event_id: int) -> None:
        try:
            barrier.wait()
            webhook_event_process(event_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(e.pk,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    statuses = sorted(WebhookEvent.objects.values_list("status", flat=True))
    assert statuses.count("processed") == 1
    assert statuses.count("duplicate") == 3

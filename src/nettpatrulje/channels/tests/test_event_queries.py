"""Queries the worker makes for one Meta event: each is CPU on the worker, and
the worker's CPU per event is what bounds the events per second it keeps up with
(bench/worker_cpu.py, docs/performance.md "Worker CPU per event")."""

from __future__ import annotations

import json

import pytest

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import webhook_event_process, webhook_events_process
from nettpatrulje.inbox.models import Contact, Conversation, Message
from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db


def _stored(payload: dict) -> WebhookEvent:
    # Stored without its task, so the test runs the processing itself.
    return WebhookEvent.objects.create(source="meta", body=json.dumps(payload).encode(), headers={})


@pytest.fixture
def conversation(client, channel):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_0")))
    return Conversation.objects.get()


def test_a_message_in_an_existing_conversation(conversation, django_assert_max_num_queries):
    # Event read, attempts, channels; in the transaction (savepoint here): seen?,
    # conversation (locked) with its contact, message insert (ON CONFLICT DO
    # NOTHING, no savepoint), conversation update, event finished, day marks.
    event = _stored(envelope("PAGE1", text_event("U1", "PAGE1", "er dere der?", mid="m_1")))
    with django_assert_max_num_queries(11):
        assert webhook_event_process(event.pk) == "processed"
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_a_message_from_a_new_contact(conversation, django_assert_max_num_queries):
    # As above, the contact read too, and it and the conversation created (each
    # in a savepoint: a concurrent creation is read instead).
    event = _stored(envelope("PAGE1", text_event("U2", "PAGE1", "hallo", mid="m_2")))
    with django_assert_max_num_queries(18):
        assert webhook_event_process(event.pk) == "processed"
    assert Contact.objects.count() == Conversation.objects.count() == 2


def test_a_redelivered_message_writes_nothing_but_the_event(
    conversation, django_assert_max_num_queries
):
    event = _stored(envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_0")))
    with django_assert_max_num_queries(7):
        assert webhook_event_process(event.pk) == "duplicate"
    assert Message.objects.count() == 1


def test_a_batch_of_messages_in_existing_conversations(
    conversation, client, django_assert_max_num_queries
):
    signed_post(client, envelope("PAGE1", text_event("U2", "PAGE1", "hallo", mid="m_a")))
    events = [
        _stored(envelope("PAGE1", text_event(f"U{1 + i % 2}", "PAGE1", "hei igjen", mid=f"m_{i}")))
        for i in range(1, 5)
    ]
    # The events and their channels read once; per event: seen?, conversation,
    # insert, conversation update, event finished; the day marks once; the
    # test's savepoint (the batch's transaction).
    with django_assert_max_num_queries(2 + 4 * 5 + 1 + 2):
        statuses = webhook_events_process([e.pk for e in events])
    assert set(statuses.values()) == {"processed"}
    assert Message.objects.count() == 6

"""Queries the worker makes for one Meta event: each is CPU on the worker, and
the worker's CPU per event is what bounds the events per second it keeps up with
(bench/worker_cpu.py, docs/performance.md "Worker CPU per event")."""

from __future__ import annotations

import json

import pytest

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import webhook_event_process
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
    # contact, conversation (locked), message insert (in a savepoint), conversation
    # update, day marks, event finished.
    event = _stored(envelope("PAGE1", text_event("U1", "PAGE1", "er dere der?", mid="m_1")))
    with django_assert_max_num_queries(14):
        assert webhook_event_process(event.pk) == "processed"
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_a_message_from_a_new_contact(conversation, django_assert_max_num_queries):
    # As above, with the contact and the conversation created (each in a savepoint).
    event = _stored(envelope("PAGE1", text_event("U2", "PAGE1", "hallo", mid="m_2")))
    with django_assert_max_num_queries(20):
        assert webhook_event_process(event.pk) == "processed"
    assert Contact.objects.count() == Conversation.objects.count() == 2


def test_a_redelivered_message_writes_nothing_but_the_event(
    conversation, django_assert_max_num_queries
):
    event = _stored(envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_0")))
    with django_assert_max_num_queries(7):
        assert webhook_event_process(event.pk) == "duplicate"
    assert Message.objects.count() == 1

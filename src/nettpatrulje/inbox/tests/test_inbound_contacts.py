"""An inbound message finds its conversation and sender in one read when the
conversation is a direct one with that sender (inbox.services._conversation_of)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nettpatrulje.channels.base import Inbound, Kind
from nettpatrulje.inbox.models import Contact, Conversation, Message
from nettpatrulje.inbox.services import inbound_apply


def _message(contact: str, mid: str, *, name: str = "", thread: str = "") -> Inbound:
    return Inbound(
        kind=Kind.MESSAGE,
        account_id="PAGE1",
        contact_id=contact,
        sent_at=datetime(2026, 11, 29, 12, 0, int(mid[-1]), tzinfo=UTC),
        mid=mid,
        text="hei",
        display_name=name,
        thread_id=thread,
    )


def _apply(channel, item: Inbound) -> str:
    with transaction.atomic():
        return inbound_apply(channel=channel, item=item)


@pytest.mark.django_db
def test_a_known_sender_is_read_with_the_conversation_and_renamed(channel):
    assert _apply(channel, _message("U1", "m1", name="Mia")) == "created"
    with CaptureQueriesContext(connection) as queries:
        assert _apply(channel, _message("U1", "m2", name="Mia K")) == "created"
    contact_reads = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "inbox_contact"."id"')
    ]
    assert contact_reads == []
    contact = Contact.objects.get()
    assert contact.display_name == "Mia K"
    conversation = Conversation.objects.get()
    assert conversation.contact == contact
    assert Message.objects.filter(conversation=conversation).count() == 2
    # No name in the payload: the name is kept.
    assert _apply(channel, _message("U1", "m3")) == "created"
    assert Contact.objects.get().display_name == "Mia K"


@pytest.mark.django_db
def test_another_sender_in_a_thread_is_a_contact_of_their_own(channel):
    assert _apply(channel, _message("U1", "m1", name="Mia", thread="T1")) == "created"
    assert _apply(channel, _message("U2", "m2", name="Noah", thread="T1")) == "created"
    assert _apply(channel, _message("U2", "m3", name="Noah B", thread="T1")) == "created"
    thread = Conversation.objects.get(thread_key="T1")
    assert thread.contact.platform_id == "U1"  # started by Mia
    assert thread.contact.display_name == "Mia"
    assert Contact.objects.get(platform_id="U2").display_name == "Noah B"
    assert Message.objects.filter(conversation=thread).count() == 3
    assert Conversation.objects.count() == 1


@pytest.mark.django_db
def test_a_stored_message_is_a_duplicate(channel):
    assert _apply(channel, _message("U1", "m1")) == "created"
    assert _apply(channel, _message("U1", "m1")) == "duplicate"
    assert Message.objects.count() == 1

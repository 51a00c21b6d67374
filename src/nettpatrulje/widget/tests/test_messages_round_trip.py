"""A visitor writes; the message reaches the agency's inbox through the stored
event and the worker; an officer's reply comes back to the visitor's widget."""

from __future__ import annotations

import json

import pytest

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Conversation, Message, Note, OutboxItem
from nettpatrulje.inbox.services import conversation_reply, note_create
from nettpatrulje.widget import services

pytestmark = pytest.mark.django_db

QUESTION = "Hei! Noen i klassen deler bilder av meg på Snap. Hva kan jeg gjøre?"
REPLY = "Hei! Det er bra at du sier fra. Ikke svar dem, ta skjermbilder, og fortell en voksen."


def test_visitor_message_is_stored_as_event_and_reaches_the_inbox(
    visitor, widget_channel, officer_client
):
    response = visitor.send(QUESTION, "client-aaaa-0001")
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "client_id": "client-aaaa-0001"}

    event = WebhookEvent.objects.get(source="widget")
    assert event.status == WebhookEvent.Status.PROCESSED  # the immediate task backend ran it
    assert event.channel == widget_channel
    stored = json.loads(bytes(event.body))
    assert stored["widget_key"] == widget_channel.account_id
    assert stored["text"] == QUESTION
    assert "Authorization" not in event.headers  # the token is never kept
    assert event.headers.get("Origin") == visitor.origin

    visitor_id = services.token_verify(visitor.token, channel=widget_channel).visitor_id
    conversation = Conversation.objects.get(channel=widget_channel)
    assert conversation.thread_key == visitor_id
    assert conversation.contact.platform_id == visitor_id
    message = conversation.messages.get()
    assert message.direction == Message.Direction.INBOUND
    assert message.platform_message_id == f"{visitor_id}:client-aaaa-0001"
    assert message.triaged_at is not None  # triaged like every channel's messages

    page = officer_client.get(f"/inbox/c/{conversation.pk}/")
    assert page.status_code == 200
    assert QUESTION in page.content.decode()


def test_officer_reply_reaches_the_visitor(visitor, widget_channel, officer):
    visitor.send(QUESTION, "client-aaaa-0001")
    first = visitor.messages().json()
    assert [m["text"] for m in first["messages"]] == [QUESTION]
    mine = first["messages"][0]
    assert mine["direction"] == "in" and mine["client_id"] == "client-aaaa-0001"

    conversation = Conversation.objects.get(channel=widget_channel)
    reply = conversation_reply(conversation=conversation, author=officer, text=REPLY)
    note_create(conversation=conversation, author=officer, text="Internal: check school name")
    outbox = OutboxItem.objects.get(message=reply)
    assert outbox.state == OutboxItem.State.SENT
    reply.refresh_from_db()
    assert reply.platform_message_id == f"widget:{outbox.pk}"
    assert reply.delivered_at is None  # sent = ready; delivered = fetched

    later = visitor.messages(after=first["cursor"]).json()
    texts = [m["text"] for m in later["messages"]]
    assert REPLY in texts
    assert QUESTION in texts  # the overlap window returns it again; the script drops it
    assert not any("Internal" in t for t in texts)
    out = next(m for m in later["messages"] if m["text"] == REPLY)
    assert out["direction"] == "out" and out["client_id"] == "" and out["automatic"] is False
    reply.refresh_from_db()
    assert reply.delivered_at is not None
    assert Note.objects.filter(conversation=conversation).count() == 1


def test_unsent_reply_is_not_shown_until_the_outbox_sends_it(visitor, widget_channel, officer):
    visitor.send(QUESTION, "client-aaaa-0001")
    conversation = Conversation.objects.get(channel=widget_channel)
    reply = conversation_reply(conversation=conversation, author=officer, text=REPLY)
    OutboxItem.objects.filter(message=reply).update(state=OutboxItem.State.QUEUED, sent_at=None)
    cursor = visitor.messages().json()["cursor"]
    assert [m["text"] for m in visitor.messages().json()["messages"]] == [QUESTION]
    # Sent later than the cursor's newest message was written: the cursor still finds it.
    from nettpatrulje.inbox.services import outbox_send

    OutboxItem.objects.filter(message=reply).update(state=OutboxItem.State.QUEUED)
    assert outbox_send(OutboxItem.objects.get(message=reply).pk) == OutboxItem.State.SENT
    assert REPLY in [m["text"] for m in visitor.messages(after=cursor).json()["messages"]]


def test_cursor_returns_nothing_new_when_nothing_happened(visitor):
    assert visitor.messages().json() == {"messages": [], "cursor": None}
    visitor.send(QUESTION, "client-aaaa-0001")
    cursor = visitor.messages().json()["cursor"]
    again = visitor.messages(after=cursor).json()
    # Within the overlap window the same message may come back; never a new one.
    assert [m["text"] for m in again["messages"]] in ([], [QUESTION])
    assert int(again["cursor"]) >= int(cursor)


def test_automatic_reply_reaches_the_visitor(visitor, widget_channel, agency):
    agency.opening_hours = {"mon": [["00:00", "00:01"]]}  # closed practically always
    agency.save()
    visitor.send("Hei, jeg har et spørsmål om en nettbutikk.", "client-aaaa-0002")
    messages = visitor.messages().json()["messages"]
    assert [m["direction"] for m in messages] == ["in", "out"]
    assert messages[1]["automatic"] is True

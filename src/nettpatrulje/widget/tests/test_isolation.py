"""One visitor's token never returns another visitor's conversation."""

from __future__ import annotations

import pytest

from nettpatrulje.inbox.models import Conversation
from nettpatrulje.inbox.services import conversation_reply
from nettpatrulje.widget.tests.conftest import WidgetApi

pytestmark = pytest.mark.django_db


def test_visitors_see_only_their_own_conversation(client, widget_channel, officer):
    alice, bob = WidgetApi(client), WidgetApi(client)
    alice.session()
    bob.session()
    alice.send("Alice sin hemmelighet", "alice-msg-0001")
    bob.send("Bob sitt spørsmål", "bob-msg-00001")
    assert Conversation.objects.filter(channel=widget_channel).count() == 2

    for conversation in Conversation.objects.filter(channel=widget_channel):
        first = conversation.messages.get().text
        conversation_reply(conversation=conversation, author=officer, text=f"Svar til: {first}")

    alice_texts = [m["text"] for m in alice.messages().json()["messages"]]
    bob_texts = [m["text"] for m in bob.messages().json()["messages"]]
    assert alice_texts == ["Alice sin hemmelighet", "Svar til: Alice sin hemmelighet"]
    assert bob_texts == ["Bob sitt spørsmål", "Svar til: Bob sitt spørsmål"]


def test_client_ids_of_different_visitors_never_collide(client, widget_channel):
    alice, bob = WidgetApi(client), WidgetApi(client)
    alice.session()
    bob.session()
    # Bob (knowing or guessing Alice's client id) cannot pre-empt or join her message.
    assert bob.send("Bob first", "shared-id-0001").status_code == 202
    assert alice.send("Alice second", "shared-id-0001").status_code == 202
    assert [m["text"] for m in alice.messages().json()["messages"]] == ["Alice second"]
    assert [m["text"] for m in bob.messages().json()["messages"]] == ["Bob first"]


def test_no_token_no_messages(widget_api, widget_channel):
    widget_api.session()
    widget_api.send("hei", "client-0001-aaaa")
    response = widget_api.messages(token="")
    assert response.status_code == 401
    assert "messages" not in response.json()

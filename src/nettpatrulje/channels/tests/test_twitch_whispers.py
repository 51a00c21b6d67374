"""Whispers are private conversations: one per sender, answered by whisper."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.fakehelix import deliver, whisper_payload
from nettpatrulje.channels.models import StreamChatLine
from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.inbox.services import conversation_reply

pytestmark = pytest.mark.django_db
SECRET = "secret-of-b100-0123456789"


def test_whisper_becomes_a_conversation_with_the_sender(client, twitch_channel):
    payload = whisper_payload(
        "B100", "U5", "hei, hvordan anmelder jeg svindel?", whisper_id="w-1", from_login="ungdom5"
    )
    assert deliver(client, payload, SECRET).status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.thread_key == "U5"
    assert conversation.channel == twitch_channel
    assert conversation.contact.platform_id == "U5"
    assert conversation.contact.display_name == "Ungdom5"
    message = conversation.messages.get(direction="in")
    assert message.platform_message_id == "w-1"
    assert message.category == "report_request" and message.triaged_at is not None
    assert not StreamChatLine.objects.exists()


def test_whispers_from_one_sender_share_a_conversation(client, twitch_channel):
    deliver(client, whisper_payload("B100", "U5", "hei"), SECRET)
    deliver(client, whisper_payload("B100", "U5", "er dere der?"), SECRET)
    deliver(client, whisper_payload("B100", "U6", "hallo"), SECRET)
    assert Conversation.objects.count() == 2
    assert Message.objects.filter(conversation__thread_key="U5").count() == 2


def test_reply_to_whisper_is_a_whisper(client, twitch_channel, fake_helix, officer):
    deliver(client, whisper_payload("B100", "U5", "hei"), SECRET)
    conversation = Conversation.objects.get()
    fake_helix.state.sent.clear()  # an out-of-hours automatic reply may have gone first
    message = conversation_reply(
        conversation=conversation, author=officer, text="Hei! Politiet her."
    )
    [sent] = fake_helix.sent
    assert sent == {
        "kind": "whisper",
        "from_user_id": "B100",
        "to_user_id": "U5",
        "message": "Hei! Politiet her.",
        "token": "user-token",
        "client_id": "cid",
    }
    message.refresh_from_db()
    assert message.platform_message_id.startswith("whisper:")
    assert message.outbox.state == "sent"

"""Stream chat: every line kept and triaged, only lines that need an officer raised."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.fakehelix import chat_message_payload, deliver
from nettpatrulje.channels.models import StreamChatLine, WebhookEvent
from nettpatrulje.inbox.models import Contact, Conversation, Message, OutboxItem
from nettpatrulje.triage.models import EmergencyAlert

pytestmark = pytest.mark.django_db
SECRET = "secret-of-b100-0123456789"


def _chat(client, chatter: str, text: str, **kwargs):
    r = deliver(client, chat_message_payload("B100", chatter, text, **kwargs), SECRET)
    assert r.status_code == 200
    return r


def test_ordinary_chat_is_stored_and_not_raised(client, twitch_channel, fake_helix):
    for i, text in enumerate(["gg wp that was a sick play", "lol", "hei alle sammen!"]):
        _chat(client, f"U{i}", text, chatter_login=f"viewer{i}")
    lines = list(StreamChatLine.objects.order_by("pk"))
    assert [line.text for line in lines] == [
        "gg wp that was a sick play",
        "lol",
        "hei alle sammen!",
    ]
    first = lines[0]
    assert (first.author_id, first.author_name) == ("U0", "Viewer0")
    assert first.agency_id == twitch_channel.agency_id
    assert first.urgency == "low" and first.category == "other" and first.language
    assert first.conversation is None
    assert first.session_ref == ""  # patrol sessions link lines in a later issue
    assert not Conversation.objects.exists()
    assert not Contact.objects.exists()
    assert not Message.objects.exists()
    assert fake_helix.sent == []
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_emergency_line_raises_conversation_and_alert(client, twitch_channel, fake_helix):
    _chat(client, "U7", "gg")
    _chat(client, "U7", "jeg vil ta livet mitt i kveld", chatter_login="kid7")
    raising = StreamChatLine.objects.get(text__startswith="jeg vil")
    assert raising.urgency == "emergency" and raising.category == "self_harm"
    conversation = Conversation.objects.get()
    assert raising.conversation == conversation
    assert StreamChatLine.objects.get(text="gg").conversation is None
    assert conversation.thread_key == "chat:U7"
    assert conversation.contact.platform_id == "U7"
    assert conversation.contact.display_name == "Kid7"
    assert conversation.urgency == "emergency"
    inbound = conversation.messages.get(direction="in")
    assert inbound.text == "jeg vil ta livet mitt i kveld"
    assert inbound.platform_message_id == raising.platform_message_id
    assert EmergencyAlert.objects.filter(conversation=conversation).count() == 1
    # The automatic emergency guidance goes privately, as a whisper to the chatter.
    auto = OutboxItem.objects.get()
    assert auto.state == "sent" and auto.recipient_id == "chat:U7"
    [sent] = fake_helix.sent
    assert (sent["kind"], sent["from_user_id"], sent["to_user_id"]) == ("whisper", "B100", "U7")
    assert sent["client_id"] == "cid" and sent["token"] == "user-token"


def test_high_urgency_line_raised_without_alert(client, twitch_channel):
    _chat(client, "U8", "he says he will share my nudes unless I pay")
    conversation = Conversation.objects.get()
    assert conversation.thread_key == "chat:U8"
    assert conversation.urgency == "high"
    assert not EmergencyAlert.objects.exists()


def test_second_raising_line_joins_the_same_conversation(client, twitch_channel):
    _chat(client, "U9", "he says he will share my nudes unless I pay")
    _chat(client, "U9", "a grown man wants to meet me alone tomorrow, I am 13")
    conversation = Conversation.objects.get()
    assert conversation.messages.filter(direction="in").count() == 2
    assert StreamChatLine.objects.filter(conversation=conversation).count() == 2


def test_our_own_line_is_never_raised(client, twitch_channel, fake_helix):
    """An officer explaining self-harm help in chat must not open a case on ourselves."""
    _chat(client, "B100", "I am going to kill myself tonight")
    line = StreamChatLine.objects.get()
    assert line.urgency == "emergency" and line.conversation is None
    assert not Conversation.objects.exists()
    assert fake_helix.sent == []


def test_personal_data_redacted_on_the_line(client, twitch_channel):
    _chat(client, "U3", "ring meg på 912 34 567")
    line = StreamChatLine.objects.get()
    assert "912 34 567" in line.text
    assert "912 34 567" not in line.redacted_text

"""What each kind of Meta event does to the inbox."""

from __future__ import annotations

import pytest

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Contact, Conversation, Message
from nettpatrulje.testing.factories import ChannelFactory
from nettpatrulje.testing.meta import envelope, now_ms, signed_post, text_event

pytestmark = pytest.mark.django_db


def test_text_message_creates_contact_conversation_and_triaged_message(client, channel):
    signed_post(
        client,
        envelope("PAGE1", text_event("U1", "PAGE1", "Hei, noen selger piller på snap", mid="m_1")),
    )
    message = Message.objects.get()
    assert message.platform_message_id == "m_1"
    assert message.direction == "in"
    assert message.conversation.contact.platform_id == "U1"
    assert message.conversation.agency == channel.agency
    assert message.triaged_at is not None
    assert message.language and message.category and message.urgency
    conversation = message.conversation
    assert conversation.waiting_since is not None
    assert conversation.status == "open"


def test_second_message_from_same_contact_joins_conversation(client, channel):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_1")))
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "er dere der?", mid="m_2")))
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2


def test_instagram_object_routes_to_instagram_channel(client, agency):
    ChannelFactory(agency=agency, platform="instagram", account_id="IG1")
    signed_post(client, envelope("IG1", text_event("IGSID1", "IG1", "hello"), obj="instagram"))
    assert Message.objects.get().channel.platform == "instagram"


@pytest.mark.parametrize("att_type", ["image", "video", "audio", "file", "share", "story_mention"])
def test_attachments_keep_metadata(client, channel, att_type):
    event = {
        "sender": {"id": "U1"},
        "recipient": {"id": "PAGE1"},
        "timestamp": now_ms(),
        "message": {
            "mid": "m_att",
            "attachments": [{"type": att_type, "payload": {"url": "https://cdn.example/x"}}],
        },
    }
    signed_post(client, envelope("PAGE1", event))
    message = Message.objects.get()
    assert message.attachments == [{"type": att_type, "url": "https://cdn.example/x"}]


def test_story_reply_keeps_reply_to(client, channel):
    signed_post(
        client,
        envelope(
            "PAGE1",
            text_event(
                "U1",
                "PAGE1",
                "så storyen deres!",
                reply_to={"story": {"url": "https://cdn.example/s", "id": "S1"}},
            ),
        ),
    )
    assert Message.objects.get().reply_to == {"story": {"url": "https://cdn.example/s", "id": "S1"}}


def test_quick_reply_payload_kept(client, channel):
    signed_post(
        client, envelope("PAGE1", text_event("U1", "PAGE1", "Ja", quick_reply={"payload": "YES"}))
    )
    assert Message.objects.get().payload == "YES"


def test_postback_becomes_message_and_is_idempotent_without_mid(client, channel):
    event = {
        "sender": {"id": "U1"},
        "recipient": {"id": "PAGE1"},
        "timestamp": 1700000000000,
        "postback": {"title": "Snakk med politiet", "payload": "TALK"},
    }
    signed_post(client, envelope("PAGE1", event))
    signed_post(client, envelope("PAGE1", event))
    message = Message.objects.get()
    assert message.text == "Snakk med politiet"
    assert message.payload == "TALK"


def test_duplicate_delivery_makes_one_message(client, channel):
    payload = envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_dup"))
    signed_post(client, payload)
    signed_post(client, payload)
    assert Message.objects.count() == 1
    assert list(WebhookEvent.objects.order_by("pk").values_list("status", flat=True)) == [
        "processed",
        "duplicate",
    ]


def test_echo_without_our_metadata_is_outbound_in_existing_thread(client, channel):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_in")))
    echo = {
        "sender": {"id": "PAGE1"},
        "recipient": {"id": "U1"},
        "timestamp": now_ms(),
        "message": {
            "mid": "m_echo",
            "is_echo": True,
            "app_id": 1,
            "text": "Hei! Vi svarer fra Business Suite.",
        },
    }
    signed_post(client, envelope("PAGE1", echo))
    assert Conversation.objects.count() == 1
    out = Message.objects.get(direction="out")
    assert out.text.startswith("Hei!")
    assert Conversation.objects.get().waiting_since is None


def test_echo_never_creates_a_conversation(client, channel):
    echo = {
        "sender": {"id": "PAGE1"},
        "recipient": {"id": "U9"},
        "timestamp": now_ms(),
        "message": {"mid": "m_echo", "is_echo": True, "text": "hi"},
    }
    signed_post(client, envelope("PAGE1", echo))
    assert Conversation.objects.count() == 0
    assert Contact.objects.count() == 0
    assert WebhookEvent.objects.get().status == "ignored"


def test_unsend_hides_content_and_keeps_audit(client, agency):
    ChannelFactory(agency=agency, platform="instagram", account_id="IG1")
    signed_post(
        client,
        envelope(
            "IG1", text_event("S1", "IG1", "mitt nummer er 41234567", mid="m_x"), obj="instagram"
        ),
    )
    unsend = {
        "sender": {"id": "S1"},
        "recipient": {"id": "IG1"},
        "timestamp": now_ms(),
        "message": {"mid": "m_x", "is_deleted": True},
    }
    signed_post(client, envelope("IG1", unsend, obj="instagram"))
    message = Message.objects.get()
    assert message.deleted_at is not None
    assert message.text == "" and message.redacted_text == ""
    assert AuditRecord.objects.filter(action="message.unsent", object_id=str(message.pk)).exists()


def test_delivery_and_read_update_outbound(client, channel):
    from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

    conversation = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        contact__platform_id="U1",
        thread_key="U1",
    )
    out = MessageFactory(conversation=conversation, direction="out", platform_message_id="m_out")
    signed_post(
        client,
        envelope(
            "PAGE1",
            {
                "sender": {"id": "U1"},
                "recipient": {"id": "PAGE1"},
                "timestamp": now_ms(),
                "delivery": {"mids": ["m_out"], "watermark": now_ms()},
            },
        ),
    )
    out.refresh_from_db()
    assert out.delivered_at is not None
    signed_post(
        client,
        envelope(
            "PAGE1",
            {
                "sender": {"id": "U1"},
                "recipient": {"id": "PAGE1"},
                "timestamp": now_ms(),
                "read": {"watermark": now_ms() + 1000},
            },
        ),
    )
    out.refresh_from_db()
    assert out.read_at is not None


def test_unknown_event_type_stored_and_ignored(client, channel):
    event = {
        "sender": {"id": "U1"},
        "recipient": {"id": "PAGE1"},
        "timestamp": now_ms(),
        "reaction": {"mid": "m_1", "action": "react", "emoji": "❤"},
    }
    r = signed_post(client, envelope("PAGE1", event))
    assert r.status_code == 200
    assert WebhookEvent.objects.get().status == "ignored"
    assert Message.objects.count() == 0


def test_unrouted_event_is_kept_with_its_account(client, channel):
    r = signed_post(client, envelope("UNKNOWN_PAGE", text_event("U1", "UNKNOWN_PAGE", "hei")))
    assert r.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == "unrouted"
    assert event.unrouted_accounts == ["UNKNOWN_PAGE"]
    assert Message.objects.count() == 0


def test_unrouted_event_processed_after_channel_added(client, agency):
    from nettpatrulje.channels.services import webhook_event_retry

    signed_post(client, envelope("LATER", text_event("U1", "LATER", "hei")))
    ChannelFactory(agency=agency, account_id="LATER")
    webhook_event_retry(event=WebhookEvent.objects.get())
    assert Message.objects.count() == 1

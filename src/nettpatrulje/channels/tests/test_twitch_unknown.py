"""Subscription types we do not handle are kept and ignored, never an error."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.fakehelix import deliver, subscription
from nettpatrulje.channels.models import StreamChatLine, WebhookEvent
from nettpatrulje.inbox.models import Conversation

pytestmark = pytest.mark.django_db
SECRET = "secret-of-b100-0123456789"


def test_unknown_subscription_type_is_stored_and_ignored(client, twitch_channel):
    payload = {
        "subscription": subscription("channel.follow", {"broadcaster_user_id": "B100"}),
        "event": {"user_id": "U1", "user_login": "fan", "followed_at": "2024-01-01T00:00:00Z"},
    }
    r = deliver(client, payload, SECRET, message_id="follow-1")
    assert r.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.delivery_id, event.status, event.channel) == (
        "follow-1",
        "ignored",
        twitch_channel,
    )
    assert not Conversation.objects.exists()
    assert not StreamChatLine.objects.exists()


def test_known_type_with_odd_event_is_not_an_error(client, twitch_channel):
    payload = {
        "subscription": subscription("channel.chat.message", {"broadcaster_user_id": "B100"}),
        "event": {"broadcaster_user_id": "B100", "message": "not an object", "chatter_user_id": 7},
    }
    r = deliver(client, payload, SECRET)
    assert r.status_code == 200
    assert WebhookEvent.objects.get().status in {"processed", "ignored"}

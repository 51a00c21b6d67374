"""A revoked subscription is visible to admins and answered 2xx."""

from __future__ import annotations

import pytest

from nettpatrulje.channels import twitch
from nettpatrulje.channels.fakehelix import deliver, revocation_payload, subscription
from nettpatrulje.channels.models import Channel, WebhookEvent

pytestmark = pytest.mark.django_db
SECRET = "secret-of-b100-0123456789"


def _revoke(client, reason="authorization_revoked", message_id="rev-1"):
    sub = subscription(twitch.CHAT_MESSAGE, {"broadcaster_user_id": "B100", "user_id": "B100"})
    payload = revocation_payload(sub, reason)
    return deliver(
        client, payload, SECRET, message_type=twitch.MESSAGE_REVOCATION, message_id=message_id
    )


def test_revocation_marks_subscription_broken(client, twitch_channel):
    r = _revoke(client)
    assert 200 <= r.status_code < 300
    channel = Channel.objects.get(pk=twitch_channel.pk)
    assert channel.config["subscriptions"][twitch.CHAT_MESSAGE]["status"] == (
        "authorization_revoked"
    )
    assert channel.needs_reconnect
    assert "authorization_revoked" in channel.last_error
    assert channel.last_error_at is not None
    event = WebhookEvent.objects.get()
    # Kept as a record, linked to the channel, nothing to apply.
    assert (event.delivery_id, event.status, event.channel_id) == ("rev-1", "ignored", channel.pk)


def test_revocation_redelivered_is_one_event(client, twitch_channel):
    assert _revoke(client).status_code == 200
    assert _revoke(client).status_code == 200
    assert WebhookEvent.objects.count() == 1


def test_forged_revocation_changes_nothing(client, twitch_channel):
    sub = subscription(twitch.CHAT_MESSAGE, {"broadcaster_user_id": "B100"})
    r = deliver(
        client,
        revocation_payload(sub, "user_removed"),
        "forged",
        message_type=twitch.MESSAGE_REVOCATION,
    )
    assert r.status_code == 403
    channel = Channel.objects.get(pk=twitch_channel.pk)
    assert not channel.needs_reconnect
    assert "subscriptions" not in channel.config

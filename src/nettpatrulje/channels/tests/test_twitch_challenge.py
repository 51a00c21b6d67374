"""The verification challenge Twitch sends after a subscription is created."""

from __future__ import annotations

import pytest

from nettpatrulje.channels import twitch
from nettpatrulje.channels.fakehelix import challenge_payload, deliver, subscription
from nettpatrulje.channels.models import WebhookEvent

pytestmark = pytest.mark.django_db
SECRET = "secret-of-b100-0123456789"


def _challenge():
    sub = subscription(twitch.CHAT_MESSAGE, {"broadcaster_user_id": "B100", "user_id": "B100"})
    return sub, challenge_payload(sub, "pogchamp-kappa-1234")


def test_challenge_answered_with_raw_text(client, twitch_channel):
    sub, payload = _challenge()
    r = deliver(client, payload, SECRET, message_type=twitch.MESSAGE_VERIFICATION)
    assert r.status_code == 200
    assert r.content == b"pogchamp-kappa-1234"
    assert r["Content-Type"].startswith("text/plain")
    # Nothing to process, but admins see the subscription is live.
    assert WebhookEvent.objects.count() == 0
    twitch_channel.refresh_from_db()
    state = twitch_channel.config["subscriptions"][twitch.CHAT_MESSAGE]
    assert state["status"] == "enabled"
    assert state["id"] == sub["id"]


def test_challenge_with_wrong_signature_is_refused(client, twitch_channel):
    _, payload = _challenge()
    r = deliver(client, payload, "wrong-secret", message_type=twitch.MESSAGE_VERIFICATION)
    assert r.status_code == 403
    assert b"pogchamp" not in r.content


def test_challenge_without_challenge_is_400(client, twitch_channel):
    _, payload = _challenge()
    del payload["challenge"]
    r = deliver(client, payload, SECRET, message_type=twitch.MESSAGE_VERIFICATION)
    assert r.status_code == 400

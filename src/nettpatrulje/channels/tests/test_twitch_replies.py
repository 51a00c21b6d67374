"""Replies through Helix and the outbox: retried when Twitch is down, never sent
twice, a rejected token marks the channel for reconnection."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from nettpatrulje.channels import twitch
from nettpatrulje.channels.base import SendError
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import OutboxItem
from nettpatrulje.inbox.services import conversation_reply, outbox_send
from nettpatrulje.testing.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twitch_channel(agency, fake_helix):
    return channel_create(
        agency=agency,
        platform=Platform.TWITCH,
        account_id="B100",
        token="user-token",
        config={"client_id": "cid", "user_id": "BOT1"},
        secrets={"eventsub_secret": "s" * 20},
    )


def _conversation(channel, thread_key: str):
    contact = ContactFactory(channel=channel, platform_id=thread_key.removeprefix("chat:"))
    return ConversationFactory(
        contact=contact, thread_key=thread_key, last_inbound_at=timezone.now()
    )


def _make_due(item: OutboxItem) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now() - timedelta(1))


def test_reply_retried_after_500_and_sent_once(twitch_channel, fake_helix, officer):
    conversation = _conversation(twitch_channel, "chat:U7")
    fake_helix.fail_next(500)
    message = conversation_reply(
        conversation=conversation, author=officer, text="Hei, politiet her"
    )
    item = OutboxItem.objects.get(message=message)
    assert item.state == "queued" and item.attempts == 1 and "500" in item.last_error
    assert fake_helix.sent == []
    _make_due(item)
    assert outbox_send(item.pk) == "sent"
    # Running the task again (a duplicate task, a second worker) sends nothing more.
    assert outbox_send(item.pk) == "sent"
    [sent] = fake_helix.sent
    assert (sent["kind"], sent["from_user_id"], sent["to_user_id"]) == ("whisper", "BOT1", "U7")
    message.refresh_from_db()
    assert message.platform_message_id.startswith("whisper:")


@pytest.mark.parametrize("status", [429, 502, 503])
def test_rate_limit_and_5xx_are_transient(twitch_channel, fake_helix, officer, status):
    conversation = _conversation(twitch_channel, "U8")
    fake_helix.fail_next(status)
    message = conversation_reply(conversation=conversation, author=officer, text="Hei")
    assert OutboxItem.objects.get(message=message).state == "queued"


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_4xx_fail_permanently(twitch_channel, fake_helix, officer, status):
    conversation = _conversation(twitch_channel, "U8")
    fake_helix.fail_next(status)
    message = conversation_reply(conversation=conversation, author=officer, text="Hei")
    item = OutboxItem.objects.get(message=message)
    assert item.state == "failed" and str(status) in item.last_error
    assert not Channel.objects.get(pk=twitch_channel.pk).needs_reconnect


def test_401_marks_channel_for_reconnection(twitch_channel, fake_helix, officer):
    fake_helix.expire("user-token")
    conversation = _conversation(twitch_channel, "U9")
    message = conversation_reply(conversation=conversation, author=officer, text="Hei")
    item = OutboxItem.objects.get(message=message)
    assert item.state == "failed" and "401" in item.last_error
    channel = Channel.objects.get(pk=twitch_channel.pk)
    assert channel.needs_reconnect and "Invalid OAuth token" in channel.last_error
    # Later replies wait for the reconnection instead of hammering Twitch.
    second = conversation_reply(conversation=conversation, author=officer, text="Hallo?")
    assert OutboxItem.objects.get(message=second).state == "failed"
    assert fake_helix.sent == []


def test_missing_client_id_is_a_reconnect_too(agency, fake_helix, officer):
    channel = channel_create(
        agency=agency, platform=Platform.TWITCH, account_id="B200", token="user-token"
    )
    conversation = _conversation(channel, "U1")
    conversation_reply(conversation=conversation, author=officer, text="Hei")
    assert Channel.objects.get(pk=channel.pk).needs_reconnect


def _client(fake_helix) -> twitch.HelixClient:
    return twitch.HelixClient(
        base_url=fake_helix.helix_url, client_id="cid", token="user-token", sender_id="BOT1"
    )


def test_room_thread_posts_in_public_chat(fake_helix):
    result = _client(fake_helix).send_text(recipient_id="room:B100", text="Hei chat!", metadata="")
    [sent] = fake_helix.sent
    assert sent["kind"] == "chat"
    assert (sent["broadcaster_id"], sent["sender_id"], sent["message"]) == (
        "B100",
        "BOT1",
        "Hei chat!",
    )
    assert result.platform_message_id == sent["message_id"]


def test_chat_message_dropped_by_automod_is_permanent(fake_helix):
    fake_helix.state.drop_next = 1
    with pytest.raises(SendError) as err:
        _client(fake_helix).send_chat_message(broadcaster_id="B100", text="Hei")
    assert not err.value.transient and "msg_rejected" in err.value.reason


def test_no_answer_is_not_retried_blindly():
    """Twitch sends no echo of a whisper: when the request went out but no answer
    came, a retry could deliver it twice, so the officer decides."""

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    client = twitch.HelixClient(
        base_url="http://helix.invalid/helix",
        client_id="cid",
        token="t",
        sender_id="BOT1",
        transport=httpx.MockTransport(timeout),
    )
    with pytest.raises(SendError) as err:
        client.send_text(recipient_id="U1", text="Hei", metadata="")
    assert not err.value.transient and "may have arrived" in err.value.reason


def test_connection_refused_is_transient():
    client = twitch.HelixClient(
        base_url="http://127.0.0.1:9/helix", client_id="cid", token="t", sender_id="BOT1"
    )
    with pytest.raises(SendError) as err:
        client.send_text(recipient_id="U1", text="Hei", metadata="")
    assert err.value.transient

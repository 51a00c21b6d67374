"""Replies through the outbox with Discord's REST API, against the fake over HTTP."""

from __future__ import annotations

import httpx
import pytest
from django.utils import timezone

from nettpatrulje.channels.base import SendError
from nettpatrulje.channels.discord import DiscordRest, nonce_for, split_content
from nettpatrulje.channels.fakediscord import FakeDiscordServer
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import OutboxItem
from nettpatrulje.inbox.services import conversation_reply, outbox_send
from nettpatrulje.testing.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"
DM = "1183000000000000001"
USER = "1184000000000000001"
WATCHED = "1182000000000000001"


@pytest.fixture
def fake_discord(settings):
    server = FakeDiscordServer(tokens={"bot-token"}).start()
    settings.DISCORD_API_URL = server.api_url
    yield server
    server.stop()


@pytest.fixture
def discord_channel(agency, fake_discord):
    return channel_create(
        agency=agency,
        platform="discord",
        account_id=APP,
        config={"public_key": "00" * 32, "guild_id": "1", "watched_channel_ids": [WATCHED]},
        secrets={"bot_token": "bot-token"},
    )


def conversation_for(channel, thread_key: str = DM):
    contact = ContactFactory(channel=channel, agency=channel.agency, platform_id=USER)
    return ConversationFactory(contact=contact, thread_key=thread_key)


def due_again(item: OutboxItem) -> None:
    # Skip the backoff wait instead of sleeping.
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def test_reply_is_posted_with_nonce_and_no_mentions(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel)
    message = conversation_reply(conversation=conversation, author=None, text="Hei Mia!")
    item = OutboxItem.objects.get()
    assert item.state == OutboxItem.State.SENT
    (sent,) = fake_discord.state.sent
    assert sent["channel_id"] == DM
    assert sent["content"] == "Hei Mia!"
    assert sent["nonce"] == nonce_for(item.metadata)
    assert len(sent["nonce"]) <= 25
    assert sent["allowed_mentions"] == {"parse": []}
    assert sent["token"] == "bot-token"
    message.refresh_from_db()
    assert message.platform_message_id == sent["id"]


def test_500_after_create_is_retried_and_not_sent_twice(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel)
    # Discord created the message but the answer was lost.
    fake_discord.fail_next(500, after_create=True)
    message = conversation_reply(conversation=conversation, author=None, text="Hei!")
    item = OutboxItem.objects.get()
    assert item.state == OutboxItem.State.QUEUED
    assert "HTTP 500" in item.last_error
    due_again(item)
    assert outbox_send(item.pk) == OutboxItem.State.SENT
    assert len(fake_discord.state.sent) == 1  # the nonce made Discord return the first one
    message.refresh_from_db()
    assert message.platform_message_id == fake_discord.state.sent[0]["id"]


def test_plain_500_then_success(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel)
    fake_discord.fail_next(500, count=2)
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    item = OutboxItem.objects.get()
    for _ in range(2):
        due_again(item)
        outbox_send(item.pk)
    item.refresh_from_db()
    assert item.state == OutboxItem.State.SENT
    assert item.attempts == 3
    assert len(fake_discord.state.sent) == 1


def test_short_429_is_waited_out_inside_the_send(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel)
    fake_discord.fail_next(429, retry_after=0.0)
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    assert OutboxItem.objects.get().state == OutboxItem.State.SENT
    assert len(fake_discord.state.sent) == 1


def test_long_429_goes_back_to_the_outbox(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel)
    fake_discord.fail_next(429, retry_after=30.0)
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    item = OutboxItem.objects.get()
    assert item.state == OutboxItem.State.QUEUED
    assert "retry after 30.0 s" in item.last_error


def test_rest_respects_retry_after(fake_discord):
    waits: list[float] = []
    rest = DiscordRest(base_url=fake_discord.api_url, token="bot-token", sleep=waits.append)
    fake_discord.fail_next(429, retry_after=1.25)
    rest.send_text(recipient_id=DM, text="Hei", metadata="nettpatrulje:outbox:x")
    assert waits == [1.25]
    fake_discord.fail_next(429, count=2, retry_after=0.5)
    with pytest.raises(SendError) as info:
        rest.send_text(recipient_id=DM, text="Hei", metadata="nettpatrulje:outbox:y")
    assert info.value.transient and info.value.retry_after == 0.5


def test_401_marks_the_channel_needs_reconnect(discord_channel, fake_discord):
    discord_channel.secrets = {"bot_token": "revoked-token"}
    discord_channel.save()
    conversation = conversation_for(discord_channel)
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    item = OutboxItem.objects.get()
    assert item.state == OutboxItem.State.FAILED
    discord_channel.refresh_from_db()
    assert discord_channel.needs_reconnect
    assert "401" in discord_channel.last_error
    assert fake_discord.state.sent == []


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_4xx_is_permanent(fake_discord, status):
    fake_discord.fail_next(status)
    rest = DiscordRest(base_url=fake_discord.api_url, token="bot-token")
    with pytest.raises(SendError) as info:
        rest.send_text(recipient_id=DM, text="Hei", metadata="nettpatrulje:outbox:x")
    assert not info.value.transient and not info.value.needs_reconnect


def test_timeout_is_transient():
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    rest = DiscordRest(
        base_url="https://discord.test/api/v10", token="t", transport=httpx.MockTransport(slow)
    )
    with pytest.raises(SendError) as info:
        rest.send_text(recipient_id=DM, text="Hei", metadata="nettpatrulje:outbox:x")
    assert info.value.transient


def test_case_in_a_watched_channel_is_answered_there_to_that_person(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel, thread_key=f"{WATCHED}:{USER}")
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    (sent,) = fake_discord.state.sent
    assert sent["channel_id"] == WATCHED
    assert sent["content"] == f"<@{USER}> Hei!"
    assert sent["allowed_mentions"] == {"parse": [], "users": [USER]}


def test_user_key_opens_the_dm(discord_channel, fake_discord):
    conversation = conversation_for(discord_channel, thread_key=f"user:{USER}")
    conversation_reply(conversation=conversation, author=None, text="Hei!")
    (sent,) = fake_discord.state.sent
    assert sent["channel_id"] == fake_discord.state.dm_channels[USER]


def test_long_reply_is_split_each_part_with_its_own_nonce(fake_discord):
    rest = DiscordRest(base_url=fake_discord.api_url, token="bot-token")
    text = ("Dette er en lang setning om nettvett. " * 80).strip()
    result = rest.send_text(recipient_id=DM, text=text, metadata="nettpatrulje:outbox:z")
    sent = fake_discord.state.sent
    assert len(sent) == 2
    assert all(len(m["content"]) <= 2000 for m in sent)
    assert " ".join(m["content"] for m in sent) == text
    assert len({m["nonce"] for m in sent}) == 2
    assert result.platform_message_id == sent[0]["id"]
    # Sent again (a retry after a lost answer): nothing new.
    rest.send_text(recipient_id=DM, text=text, metadata="nettpatrulje:outbox:z")
    assert len(fake_discord.state.sent) == 2


def test_nonce_is_stable_and_short():
    metadata = "nettpatrulje:outbox:7d9f3b1e-2c4a-4e8b-9a51-0f6d2c3b4a5e"
    assert nonce_for(metadata) == nonce_for(metadata)
    assert len(nonce_for(metadata)) == 22
    assert nonce_for(metadata) != nonce_for(metadata.replace("7d9f", "7d9e"))
    assert len(nonce_for("anything else")) <= 25


def test_split_content_keeps_short_text_whole():
    assert split_content("hei") == ["hei"]
    assert split_content("a" * 4500) == ["a" * 2000, "a" * 2000, "a" * 500]

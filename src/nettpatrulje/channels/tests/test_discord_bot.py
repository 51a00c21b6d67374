"""The Gateway glue: discord.py's raw socket events turned into stored events,
without a network connection (handlers called with recorded frames)."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Executor, Future
from types import SimpleNamespace

import discord
import pytest
from django.db import OperationalError

from nettpatrulje.channels.discord_bot import (
    PatrolClient,
    Relay,
    decode_frame,
    gateway_intents,
    run_client,
)
from nettpatrulje.channels.fakediscord import recorded
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import Conversation, Message

APP = "1180000000000000001"
GUILD = "1181000000000000001"
WATCHED = "1182000000000000001"
THREAD = "1182000000000000099"


class DeferredExecutor(Executor):
    """Stands in for the store thread: keeps the calls in the order they were
    submitted and runs them after the event loop is done, in the test's own
    thread and transaction (inside the loop Django would use another connection)."""

    def __init__(self) -> None:
        self.calls: list = []

    def submit(self, fn, /, *args, **kwargs):
        self.calls.append((fn, args, kwargs))
        future: Future = Future()
        future.set_result(None)
        return future

    def drain(self) -> None:
        calls, self.calls = self.calls, []
        for fn, args, kwargs in calls:
            fn(*args, **kwargs)


@pytest.fixture
def discord_channel(agency, settings):
    settings.DISCORD_API_URL = "http://127.0.0.1:9"
    return channel_create(
        agency=agency,
        platform="discord",
        account_id=APP,
        config={"public_key": "00" * 32, "guild_id": GUILD, "watched_channel_ids": [WATCHED]},
        secrets={"bot_token": "bot-token"},
    )


@pytest.fixture
def client(discord_channel):
    return PatrolClient(Relay.for_channel(discord_channel), executor=DeferredExecutor())


def thread_object(client: PatrolClient) -> discord.Thread:
    data = recorded("thread_create")["d"]
    return discord.Thread(guild=SimpleNamespace(id=int(GUILD)), state=client._connection, data=data)


def raw(name: str, **changes) -> str:
    frame = recorded(name)
    frame["d"].update(changes)
    # As the Gateway sends it: compact JSON text.
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def run(client: PatrolClient, coroutine) -> None:
    asyncio.run(coroutine)
    client._executor.drain()


def receive(client: PatrolClient, *messages: str) -> None:
    async def all_of_them() -> None:
        await asyncio.gather(*(client.on_socket_raw_receive(m) for m in messages))

    run(client, all_of_them())


def test_intents_are_dms_guild_messages_and_content_only():
    intents = gateway_intents()
    assert intents.dm_messages and intents.guild_messages and intents.message_content
    assert intents.guilds
    assert not intents.members and not intents.presences and not intents.guild_reactions


def test_client_uses_raw_socket_events(client):
    assert client._enable_debug_events is True


@pytest.mark.django_db
def test_raw_dm_frame_is_stored_and_processed(client):
    receive(client, raw("message_create_dm"))
    event = WebhookEvent.objects.get()
    assert event.source == "discord"
    assert event.status == WebhookEvent.Status.PROCESSED
    body = json.loads(bytes(event.body))
    assert set(body) == {"application_id", "t", "d", "scope"}
    assert body["scope"] == "dm"
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_frames_that_are_not_messages_are_dropped(client):
    receive(
        client,
        '{"t":null,"s":null,"op":11,"d":null}',
        '{"t":"PRESENCE_UPDATE","s":3,"op":0,"d":{"user":{"id":"1"}}}',
        raw("typing_start"),
        json.dumps(recorded("thread_create")),
    )
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_thread_parent_comes_from_discord_py_cache(client, monkeypatch):
    thread = thread_object(client)
    monkeypatch.setattr(client, "get_channel", lambda cid: thread if cid == int(THREAD) else None)
    receive(client, raw("message_create_thread"))
    assert Conversation.objects.get().thread_key == THREAD
    event = WebhookEvent.objects.get()
    assert json.loads(bytes(event.body))["scope"] == "thread"


@pytest.mark.django_db
def test_uncached_thread_is_fetched_over_rest(client, monkeypatch):
    thread = thread_object(client)
    monkeypatch.setattr(client, "get_channel", lambda cid: None)
    fetched: list[int] = []

    async def fetch_channel(cid: int):
        fetched.append(cid)
        return thread

    monkeypatch.setattr(client, "fetch_channel", fetch_channel)
    receive(client, raw("message_create_thread"))
    assert fetched == [int(THREAD)]
    assert Conversation.objects.get().thread_key == THREAD


@pytest.mark.django_db
def test_unresolvable_channel_is_not_stored(client, monkeypatch):
    monkeypatch.setattr(client, "get_channel", lambda cid: None)

    async def fetch_channel(cid: int):
        raise discord.NotFound(SimpleNamespace(status=404, reason="Not Found"), "Unknown Channel")

    monkeypatch.setattr(client, "fetch_channel", fetch_channel)
    receive(client, raw("message_create_thread"))
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_plain_watched_channel_is_not_a_thread(client, monkeypatch):
    text_channel = SimpleNamespace(id=int(WATCHED))  # anything but a Thread
    monkeypatch.setattr(client, "get_channel", lambda cid: text_channel)
    receive(client, raw("message_create_watched_channel"))
    assert Conversation.objects.get().thread_key.startswith(f"{WATCHED}:")


@pytest.mark.django_db
def test_other_guild_and_bots_are_dropped(client):
    receive(client, raw("message_create_other_guild"), raw("message_create_bot"))
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_create_then_edit_are_stored_in_arrival_order(client, monkeypatch):
    """The create waits on a REST lookup; the edit that arrived after it must not
    overtake it, or the edit would find no message."""
    thread = thread_object(client)
    monkeypatch.setattr(client, "get_channel", lambda cid: None)

    fetches: list[int] = []

    async def slow_fetch(cid: int):
        fetches.append(cid)
        if len(fetches) == 1:  # only the first lookup is slow
            for _ in range(5):
                await asyncio.sleep(0)
        return thread

    monkeypatch.setattr(client, "fetch_channel", slow_fetch)
    create = raw("message_create_thread")
    edit = json.loads(create)
    edit["t"] = "MESSAGE_UPDATE"
    edit["d"]["content"] = "endret: de truer med å dele bildene"
    edit["d"]["edited_timestamp"] = "2024-06-03T10:16:00.000000+00:00"
    receive(client, create, json.dumps(edit))
    ids = list(WebhookEvent.objects.order_by("pk").values_list("body", flat=True))
    assert [json.loads(bytes(b))["t"] for b in ids] == ["MESSAGE_CREATE", "MESSAGE_UPDATE"]
    assert Message.objects.get().text == "endret: de truer med å dele bildene"


def test_store_is_retried_after_a_database_error(discord_channel_free_relay):
    relay = discord_channel_free_relay
    calls: list[int] = []

    def flaky_store(envelope):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return "stored"

    relay.store = flaky_store
    waits: list[float] = []
    assert relay.store_until_stored({"t": "MESSAGE_CREATE"}, sleep=waits.append) == "stored"
    assert waits == [1.0, 2.0]


@pytest.fixture
def discord_channel_free_relay():
    return Relay(channel_pk=1, application_id=APP, guild_id=GUILD)


@pytest.mark.django_db
def test_rejected_token_marks_the_channel(client, discord_channel):
    async def start(token: str, **kwargs):
        raise discord.LoginFailure("Improper token has been passed.")

    client.start = start
    run(client, run_client(client, "bad-token"))
    discord_channel.refresh_from_db()
    assert discord_channel.needs_reconnect
    assert "Improper token" in discord_channel.last_error


@pytest.mark.django_db
def test_missing_content_intent_marks_the_channel(client, discord_channel):
    async def start(token: str, **kwargs):
        raise discord.PrivilegedIntentsRequired(None)

    client.start = start
    run(client, run_client(client, "token"))
    discord_channel.refresh_from_db()
    assert "Message Content intent" in discord_channel.last_error


def test_decode_frame_accepts_text_bytes_and_dicts():
    frame = recorded("message_create_dm")
    assert decode_frame(json.dumps(frame))["t"] == "MESSAGE_CREATE"
    assert decode_frame(json.dumps(frame).encode())["t"] == "MESSAGE_CREATE"
    assert decode_frame(frame)["t"] == "MESSAGE_CREATE"
    assert decode_frame({**frame, "op": 1}) is None


def test_watched_channels_may_be_a_comma_separated_string():
    channel = SimpleNamespace(
        pk=1, account_id=APP, config={"guild_id": GUILD, "watched_channel_ids": "11, 12"}
    )
    assert Relay.for_channel(channel).watched_channel_ids == frozenset({"11", "12"})

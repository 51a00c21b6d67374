"""Gateway MESSAGE_CREATE dispatches, from the relay's filter to the inbox."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from nettpatrulje.channels.discord_bot import Relay
from nettpatrulje.channels.fakediscord import recorded
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import channel_create, webhook_event_store
from nettpatrulje.inbox.models import Contact, Conversation, Message

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"
GUILD = "1181000000000000001"
WATCHED = "1182000000000000001"
THREAD = "1182000000000000099"
DM = "1183000000000000001"
USER = "1184000000000000001"


@pytest.fixture
def discord_channel(agency, settings):
    settings.DISCORD_API_URL = "http://127.0.0.1:9"  # never the real Discord
    return channel_create(
        agency=agency,
        platform="discord",
        account_id=APP,
        name="Kripos Discord",
        config={"public_key": "00" * 32, "guild_id": GUILD, "watched_channel_ids": [WATCHED]},
        secrets={"bot_token": "bot-token"},
    )


@pytest.fixture
def relay(discord_channel):
    relay = Relay.for_channel(discord_channel)
    relay.bot_user_id = APP
    return relay


def test_dm_opens_a_conversation_per_dm_channel(relay):
    event = relay.relay(json.dumps(recorded("message_create_dm")))
    event.refresh_from_db()
    assert event.source == "discord"
    assert event.status == WebhookEvent.Status.PROCESSED
    stored = json.loads(bytes(event.body))
    assert stored["t"] == "MESSAGE_CREATE"
    assert stored["d"] == recorded("message_create_dm")["d"]  # Discord's format, unchanged
    message = Message.objects.get()
    assert message.platform_message_id == "1247483310000000001"
    assert message.text.startswith("Hei! Er dette politiet?")
    assert message.triaged_at is not None
    conversation = message.conversation
    assert conversation.thread_key == DM
    assert conversation.contact.platform_id == USER
    assert conversation.contact.display_name == "Mia"
    assert conversation.channel.platform == "discord"


def test_second_dm_joins_the_conversation(relay):
    relay.relay(recorded("message_create_dm"))
    second = recorded("message_create_dm")
    second["d"]["id"] = "1247483310000000099"
    second["d"]["content"] = "er dere der?"
    relay.relay(second)
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2


def test_thread_under_watched_channel_is_one_conversation(relay):
    relay.relay(recorded("message_create_thread"), parent_id=WATCHED)
    other = recorded("message_create_thread")
    other["d"]["id"] = "1247483310000000077"
    other["d"]["author"] = {**other["d"]["author"], "id": "1184000000000000002", "username": "x"}
    relay.relay(other, parent_id=WATCHED)
    conversation = Conversation.objects.get()
    assert conversation.thread_key == THREAD
    assert conversation.messages.count() == 2
    assert Contact.objects.count() == 2


def test_plain_watched_channel_gives_each_person_their_own_case(relay):
    relay.relay(recorded("message_create_watched_channel"))
    other = recorded("message_create_watched_channel")
    other["d"]["id"] = "1247483310000000078"
    other["d"]["author"] = {**other["d"]["author"], "id": "1184000000000000002"}
    relay.relay(other)
    keys = sorted(Conversation.objects.values_list("thread_key", flat=True))
    assert keys == sorted([f"{WATCHED}:1184000000000000002", f"{WATCHED}:{USER}"])


def test_unwatched_channel_and_thread_of_unwatched_parent_are_not_stored(relay):
    frame = recorded("message_create_watched_channel")
    frame["d"]["channel_id"] = "1182000000000000555"
    assert relay.relay(frame) is None
    assert relay.relay(recorded("message_create_thread"), parent_id="1182000000000000555") is None
    assert WebhookEvent.objects.count() == 0


def test_other_guild_is_not_stored(relay):
    assert relay.relay(recorded("message_create_other_guild")) is None
    assert WebhookEvent.objects.count() == 0


def test_other_guild_stored_by_hand_is_ignored_by_the_parser(discord_channel):
    # Defence in depth: a guild message is only taken in when the relay vouched for it.
    frame = recorded("message_create_other_guild")
    body = json.dumps({"application_id": APP, "t": frame["t"], "d": frame["d"]}).encode()
    event = webhook_event_store(source="discord", body=body, headers={})
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED
    assert Message.objects.count() == 0


@pytest.mark.parametrize("variant", ["other_bot", "ourselves", "webhook"])
def test_bot_and_own_messages_are_not_stored(relay, variant):
    frame = recorded("message_create_bot")
    if variant == "ourselves":
        frame = recorded("message_create_dm")
        frame["d"]["author"] = {"id": APP, "username": "Nettpatrulje", "bot": True}
    elif variant == "webhook":
        frame = recorded("message_create_watched_channel")
        frame["d"]["webhook_id"] = "1190000000000000001"
    assert relay.relay(frame) is None
    assert WebhookEvent.objects.count() == 0


def test_bot_message_stored_by_hand_is_ignored(discord_channel):
    frame = recorded("message_create_bot")
    body = {"application_id": APP, "t": frame["t"], "d": frame["d"], "scope": "channel"}
    event = webhook_event_store(source="discord", body=json.dumps(body).encode(), headers={})
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED
    assert Message.objects.count() == 0


def test_system_messages_are_ignored(relay):
    frame = recorded("message_create_watched_channel")
    frame["d"]["type"] = 7  # USER_JOIN
    event = relay.relay(frame)
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED
    assert Message.objects.count() == 0


def test_attachments_keep_metadata_and_are_not_downloaded(relay):
    relay.relay(recorded("message_create_attachments"))
    message = Message.objects.get()
    assert message.text == "se her"
    image, text_file = message.attachments
    assert image["type"] == "image"
    assert image["filename"] == "IMG_2041.png"
    assert image["content_type"] == "image/png"
    assert image["size"] == 284113
    assert image["url"].startswith("https://cdn.discordapp.com/attachments/")
    assert text_file["type"] == "file"
    assert text_file["filename"] == "chat.txt"
    assert text_file["size"] == 1532


def test_reply_reference_is_kept(relay):
    frame = recorded("message_create_dm")
    frame["d"]["type"] = 19
    frame["d"]["message_reference"] = {"type": 0, "message_id": "1247483300000000009"}
    relay.relay(frame)
    assert Message.objects.get().reply_to == {"mid": "1247483300000000009"}


def test_duplicate_delivery_gives_one_message(relay):
    first = relay.relay(recorded("message_create_dm"))
    second = relay.relay(recorded("message_create_dm"))  # e.g. replayed after a RESUME
    first.refresh_from_db()
    second.refresh_from_db()
    assert Message.objects.count() == 1
    assert first.status == WebhookEvent.Status.PROCESSED
    assert second.status == WebhookEvent.Status.DUPLICATE


@pytest.mark.parametrize("name", ["message_reaction_add"])
def test_unknown_message_dispatch_is_stored_and_ignored(relay, name):
    event = relay.relay(recorded(name))
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED
    assert event.channel.account_id == APP
    assert Message.objects.count() == 0


def test_unknown_dispatch_type_stored_by_hand_is_ignored_not_failed(discord_channel):
    frame = recorded("typing_start")
    body = json.dumps({"application_id": APP, "t": frame["t"], "d": frame["d"]}).encode()
    event = webhook_event_store(source="discord", body=body, headers={})
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED


def test_non_message_frames_are_not_relayed(relay):
    assert relay.relay(recorded("typing_start")) is None
    assert relay.relay('{"op":11}') is None  # heartbeat ack
    assert relay.relay("not json") is None
    assert WebhookEvent.objects.count() == 0


def test_malformed_envelope_fails_the_event_without_raising(discord_channel):
    event = webhook_event_store(source="discord", body=b'{"t": "MESSAGE_CREATE"}', headers={})
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.FAILED


def test_message_for_unknown_application_is_unrouted(discord_channel):
    frame = copy.deepcopy(recorded("message_create_dm"))
    body = json.dumps({"application_id": "999", "t": frame["t"], "d": frame["d"]}).encode()
    event = webhook_event_store(source="discord", body=body, headers={})
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.UNROUTED
    assert event.unrouted_accounts == ["999"]


def test_emergency_in_a_dm_is_alerted_and_answered_through_discord(relay, settings):
    from nettpatrulje.channels.fakediscord import FakeDiscordServer
    from nettpatrulje.triage.models import EmergencyAlert

    fake = FakeDiscordServer().start()
    settings.DISCORD_API_URL = fake.api_url
    try:
        frame = recorded("message_create_dm")
        frame["d"]["content"] = "jeg vil ikke leve lenger, jeg har tenkt å ta livet mitt i kveld"
        # Written now: the inbox's reply window (Meta's rule) would block an old message.
        frame["d"]["timestamp"] = datetime.now(UTC).isoformat()
        relay.relay(frame)
        assert EmergencyAlert.objects.count() == 1
        sent = fake.state.sent
        assert len(sent) == 1
        assert sent[0]["channel_id"] == DM
        assert "112" in sent[0]["content"]
    finally:
        fake.stop()

"""MESSAGE_UPDATE re-triages the message; MESSAGE_DELETE removes its content."""

from __future__ import annotations

import pytest

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.channels.discord_bot import Relay
from nettpatrulje.channels.fakediscord import recorded
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import Message

pytestmark = pytest.mark.django_db

APP = "1180000000000000001"
GUILD = "1181000000000000001"
WATCHED = "1182000000000000001"


@pytest.fixture
def relay(agency, settings):
    settings.DISCORD_API_URL = "http://127.0.0.1:9"
    channel = channel_create(
        agency=agency,
        platform="discord",
        account_id=APP,
        config={"public_key": "00" * 32, "guild_id": GUILD, "watched_channel_ids": [WATCHED]},
        secrets={"bot_token": "bot-token"},
    )
    return Relay.for_channel(channel)


def test_edit_replaces_text_retriages_and_keeps_the_old_text_in_the_audit(relay):
    relay.relay(recorded("message_create_dm"))
    before = Message.objects.get()
    before_urgency = before.urgency
    event = relay.relay(recorded("message_update"))
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.PROCESSED
    message = Message.objects.get()
    assert "truer med å dele bilder" in message.text
    assert message.triaged_at is not None
    # The edit turned a hacked account into a threat to share images: triaged anew.
    assert (message.category, message.urgency) != (before.category, before_urgency)
    record = AuditRecord.objects.get(action="message.edited")
    assert record.detail["previous_text"] == before.text


def test_edit_of_a_message_never_taken_in_is_ignored(relay):
    event = relay.relay(recorded("message_update"))
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED
    assert Message.objects.count() == 0


def test_update_without_content_changes_nothing(relay):
    relay.relay(recorded("message_create_dm"))
    frame = recorded("message_update")
    del frame["d"]["content"]  # e.g. only an embed was resolved
    event = relay.relay(frame)
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.IGNORED
    assert Message.objects.get().text.startswith("Hei! Er dette politiet? Jeg lurer")


def test_delete_clears_the_message(relay):
    relay.relay(recorded("message_create_dm"))
    event = relay.relay(recorded("message_delete"))
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.PROCESSED
    message = Message.objects.get()
    assert message.deleted_at is not None
    assert message.text == ""
    assert AuditRecord.objects.filter(action="message.unsent").count() == 1


def test_delete_twice_and_delete_of_unknown_message_are_harmless(relay):
    relay.relay(recorded("message_create_dm"))
    relay.relay(recorded("message_delete"))
    again = relay.relay(recorded("message_delete"))
    again.refresh_from_db()
    assert again.status == WebhookEvent.Status.IGNORED
    unknown = recorded("message_delete")
    unknown["d"]["id"] = "1247483310000000999"
    other = relay.relay(unknown)
    other.refresh_from_db()
    assert other.status == WebhookEvent.Status.IGNORED


def test_delete_in_a_watched_guild_channel(relay):
    relay.relay(recorded("message_create_watched_channel"))
    frame = {
        "op": 0,
        "s": 30,
        "t": "MESSAGE_DELETE",
        "d": {"id": "1247483310000000003", "channel_id": WATCHED, "guild_id": GUILD},
    }
    relay.relay(frame)
    assert Message.objects.get().deleted_at is not None


def test_bulk_delete_clears_every_message(relay):
    relay.relay(recorded("message_create_watched_channel"))
    frame = {
        "op": 0,
        "s": 31,
        "t": "MESSAGE_DELETE_BULK",
        "d": {"ids": ["1247483310000000003", "1"], "channel_id": WATCHED, "guild_id": GUILD},
    }
    relay.relay(frame)
    assert Message.objects.get().deleted_at is not None

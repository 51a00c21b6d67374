"""`nettpatrulje discord register-commands` and the texts of /help."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from nettpatrulje.channels.discord import commands, language_for, opening_hours_text
from nettpatrulje.channels.fakediscord import FakeDiscordServer
from nettpatrulje.channels.services import channel_create

APP = "1180000000000000001"


@pytest.fixture
def fake_discord(settings):
    server = FakeDiscordServer(tokens={"bot-token"}).start()
    settings.DISCORD_API_URL = server.api_url
    yield server
    server.stop()


@pytest.mark.django_db
def test_register_commands_puts_help_and_tip(agency, fake_discord, capsys):
    channel_create(
        agency=agency, platform="discord", account_id=APP, secrets={"bot_token": "bot-token"}
    )
    call_command("discord", "register-commands")
    stored = fake_discord.state.commands[APP]
    assert [c["name"] for c in stored] == ["help", "tip"]
    tip = stored[1]
    assert tip["options"][0]["name"] == "message" and tip["options"][0]["required"] is False
    assert tip["description_localizations"]["no"] != tip["description"]
    assert "registered /help, /tip" in capsys.readouterr().out


@pytest.mark.django_db
def test_register_commands_with_a_bad_token_fails_clearly(agency, fake_discord):
    channel_create(agency=agency, platform="discord", account_id=APP, secrets={"bot_token": "x"})
    with pytest.raises(CommandError, match="1 application"):
        call_command("discord", "register-commands")


@pytest.mark.django_db
def test_run_without_channels_says_what_is_missing():
    with pytest.raises(CommandError, match="no active Discord channel"):
        call_command("discord")


def test_command_definitions_are_valid_for_discord():
    for command in commands():
        assert command["name"].islower() and 1 <= len(command["name"]) <= 32
        assert 1 <= len(command["description"]) <= 100
        assert 1 <= len(command["description_localizations"]["no"]) <= 100


@pytest.mark.parametrize(
    ("locale", "language"),
    [("no", "nb"), ("nb", "nb"), ("en-US", "en"), ("en-GB", "en"), ("sv-SE", "en"), (None, "en")],
)
def test_language_for_discord_locales(locale, language):
    assert language_for(locale) == language


def test_opening_hours_are_grouped():
    hours = {d: [["09:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    hours["sat"] = [["10:00", "14:00"]]
    assert opening_hours_text(hours) == "Mon–Fri 09:00–15:00; Sat 10:00–14:00"
    assert opening_hours_text({}) == ""

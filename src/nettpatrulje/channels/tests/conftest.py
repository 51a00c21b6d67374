"""Fixtures shared by the Twitch tests: a Twitch channel and the fake Helix API."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.fakehelix import FakeHelixServer
from nettpatrulje.channels.models import Platform
from nettpatrulje.channels.services import channel_create

# The EventSub secret of the test channel; the test modules sign with the same value.
TWITCH_SECRET = "secret-of-b100-0123456789"


@pytest.fixture
def fake_helix(settings):
    server = FakeHelixServer().start()
    settings.TWITCH_HELIX_URL = server.helix_url
    yield server
    server.stop()


@pytest.fixture
def twitch_channel(agency, fake_helix):
    return channel_create(
        agency=agency,
        platform=Platform.TWITCH,
        account_id="B100",
        token="user-token",
        config={"client_id": "cid"},
        secrets={"eventsub_secret": TWITCH_SECRET},
    )

"""A patrol session linked to a Twitch stream keeps the stream's chat lines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nettpatrulje.channels.base import Inbound, Kind
from nettpatrulje.channels.chat import chat_line_apply
from nettpatrulje.channels.models import StreamChatLine
from nettpatrulje.patrols.services import session_start
from nettpatrulje.testing.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def line(channel, text: str, mid: str) -> Inbound:
    return Inbound(
        kind=Kind.MESSAGE,
        account_id=channel.account_id,
        contact_id="viewer1",
        display_name="viewer_one",
        sent_at=timezone.now(),
        mid=mid,
        text=text,
    )


def test_lines_during_a_session_are_kept_with_it(officer_client, officer, agency):
    stream = ChannelFactory(agency=agency, platform="twitch", account_id="B1")
    before = line(stream, "gg wp", "l0")
    before = Inbound(**{**before.__dict__, "sent_at": timezone.now() - timedelta(hours=1)})
    chat_line_apply(stream, before)
    session = session_start(
        actor=officer,
        platform="twitch",
        game="Fortnite",
        location="stream",
        slot=None,
        chat_channel=stream,
    )
    chat_line_apply(stream, line(stream, "haha nice shot", "l1"))
    chat_line_apply(
        stream, line(stream, "noen på skolen min sier han skal skyte folk i morgen", "l2")
    )
    refs = dict(StreamChatLine.objects.values_list("platform_message_id", "session_ref"))
    assert refs == {"l0": "", "l1": str(session.pk), "l2": str(session.pk)}
    html = officer_client.get(f"/patrols/sessions/{session.pk}/").content.decode()
    assert "2 lines collected" in html
    assert "haha nice shot" in html

"""What every page polls (the emergency banner, the notification link) is redrawn only
when it changed: a redraw takes the focus off a link or button the user tabbed to, and
makes a screen reader announce an alert again."""

from __future__ import annotations

import re

import pytest

from nettpatrulje.patrols.services import notify
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory, UserFactory
from nettpatrulje.triage.models import EmergencyAlert

pytestmark = pytest.mark.django_db


def _next_url(html: str) -> str:
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_banner_answers_204_until_the_open_alerts_change(client, agency, channel):
    kari = UserFactory(agency=agency, roles=["supervisor"])
    client.force_login(kari)
    conversation = ConversationFactory(contact__channel=channel)
    first = client.get("/triage/alerts/banner").content.decode()
    assert "alert-emergency" not in first
    assert client.get(_next_url(first)).status_code == 204

    message = MessageFactory(conversation=conversation, text="kniv")
    EmergencyAlert.objects.create(agency=agency, conversation=conversation, message=message)
    changed = client.get(_next_url(first))
    assert changed.status_code == 200 and "alert-emergency" in changed.content.decode()
    assert client.get(_next_url(changed.content.decode())).status_code == 204


def test_notification_link_answers_204_until_the_count_changes(officer_client, officer):
    first = officer_client.get("/patrols/notifications/badge/").content.decode()
    assert officer_client.get(_next_url(first)).status_code == 204
    notify(user=officer, text="Test", url="/")
    changed = officer_client.get(_next_url(first))
    assert changed.status_code == 200 and 'class="badge count">1<' in changed.content.decode()

"""One agency never sees another's conversations, through any page."""

from __future__ import annotations

import pytest

from nettpatrulje.inbox.models import Conversation
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ConversationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign():
    agency = AgencyFactory(slug="politie", country="NL")
    channel = ChannelFactory(agency=agency)
    return ConversationFactory(
        channel=channel, agency=agency, contact__channel=channel, contact__agency=agency
    )


def test_visible_to_filters_by_agency(officer, foreign, channel):
    mine = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    assert list(Conversation.objects.visible_to(officer)) == [mine]


def test_user_without_agency_sees_nothing(foreign):
    user = UserFactory(agency=None)
    assert not Conversation.objects.visible_to(user).exists()


@pytest.mark.parametrize("suffix", ["", "thread"])
def test_foreign_conversation_page_is_404(officer_client, foreign, suffix):
    assert officer_client.get(f"/inbox/c/{foreign.pk}/{suffix}").status_code == 404


@pytest.mark.parametrize("action", ["reply", "note", "update"])
def test_foreign_conversation_actions_are_404(officer_client, foreign, action):
    r = officer_client.post(f"/inbox/c/{foreign.pk}/{action}", {"text": "x", "status": "closed"})
    assert r.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"


def test_inbox_list_does_not_show_foreign(officer_client, foreign):
    r = officer_client.get("/inbox/")
    assert r.status_code == 200
    assert str(foreign.pk) not in r.content.decode()

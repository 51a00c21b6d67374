from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.reports.models import DailyFigure
from nettpatrulje.reports.rollups import rollups_refresh
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ContactFactory,
    UserFactory,
)

WEEKDAYS = {d: [["09:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


def snapshot(agency=None) -> list[tuple]:
    qs = DailyFigure.objects.all()
    if agency is not None:
        qs = qs.filter(agency=agency)
    fields = [f.attname for f in DailyFigure._meta.fields if f.attname != "id"]
    return sorted(tuple(str(v) for v in row) for row in qs.values_list(*fields))


def refresh() -> int:
    return rollups_refresh(debounce=timedelta(0), limit=10000)


def make_conversation(
    channel,
    *,
    created,
    answered=None,
    category="question",
    urgency="normal",
    assignee=None,
    extra_inbound=0,
):
    contact = ContactFactory(channel=channel, agency=channel.agency)
    conv = Conversation.objects.create(
        agency=channel.agency,
        channel=channel,
        contact=contact,
        thread_key=contact.platform_id,
        created_at=created,
        last_message_at=answered or created,
        last_inbound_at=created,
        waiting_since=None if answered else created,
        first_response_at=answered,
        category=category,
        urgency=urgency,
        assignee=assignee,
    )
    Message.objects.create(
        agency=channel.agency,
        conversation=conv,
        channel=channel,
        direction="in",
        text="Jeg heter Kari",
        redacted_text="Jeg heter [NAVN]",
        sent_at=created,
        category=category,
        urgency=urgency,
    )
    for i in range(extra_inbound):
        Message.objects.create(
            agency=channel.agency,
            conversation=conv,
            channel=channel,
            direction="in",
            text="mer",
            redacted_text="mer",
            sent_at=created + timedelta(minutes=i + 1),
            category=category,
            urgency=urgency,
        )
    if answered:
        Message.objects.create(
            agency=channel.agency,
            conversation=conv,
            channel=channel,
            direction="out",
            text="Svar",
            redacted_text="Svar",
            sent_at=answered,
            author=assignee,
        )
    return conv


@pytest.fixture
def oslo(db):
    return AgencyFactory(
        slug="oslo-pd", country="NO", timezone="Europe/Oslo", opening_hours=WEEKDAYS
    )


@pytest.fixture
def helsinki(db):
    return AgencyFactory(
        slug="hki-pd", country="FI", timezone="Europe/Helsinki", opening_hours=WEEKDAYS
    )


@pytest.fixture
def dataset(oslo):
    """A fixed month (October 2026) in Oslo, figures computed by hand in the tests."""
    messenger = ChannelFactory(agency=oslo, platform="messenger", account_id="P1", name="Page")
    instagram = ChannelFactory(agency=oslo, platform="instagram", account_id="IG1", name="Insta")
    kari = UserFactory(agency=oslo, username="kari", roles=["officer"])
    convs = [
        # Fri 16:00 CEST (14:00Z) -> Mon 09:30 CEST (07:30Z): 30 working minutes, normal: within.
        make_conversation(
            messenger, created=utc(2026, 10, 2, 14), answered=utc(2026, 10, 5, 7, 30), assignee=kari
        ),
        # Across the end of summer time: Fri 23 Oct 14:00 CEST -> Mon 26 Oct 10:00 CET: 120
        # working minutes; high urgency: outside the one-hour target.
        make_conversation(
            messenger,
            created=utc(2026, 10, 23, 12),
            answered=utc(2026, 10, 26, 9),
            category="fraud",
            urgency="high",
            assignee=kari,
            extra_inbound=2,
        ),
        # Tue 6 Oct 10:00 CEST -> 10:10: 10 minutes, emergency: within.
        make_conversation(
            instagram,
            created=utc(2026, 10, 6, 8),
            answered=utc(2026, 10, 6, 8, 10),
            category="self_harm",
            urgency="emergency",
        ),
        # Wed 7 Oct 10:00 -> Thu 8 Oct 12:00 CEST: 5 h + 3 h = 480 working minutes: outside
        # one working day (six hours).
        make_conversation(instagram, created=utc(2026, 10, 7, 8), answered=utc(2026, 10, 8, 10)),
        # Never answered.
        make_conversation(instagram, created=utc(2026, 10, 9, 8), category="fraud"),
    ]
    refresh()
    return {
        "agency": oslo,
        "messenger": messenger,
        "instagram": instagram,
        "kari": kari,
        "conversations": convs,
    }

"""All statuses with a label and a channel or an assignee: on PostgreSQL the
queue is read one status at a time (selectors._first_of_each_status). The
rows and their order must be those of the plain query."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nettpatrulje.inbox.models import Conversation, Label
from nettpatrulje.inbox.selectors import QUEUE_ORDER, InboxFilters, conversation_list
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ConversationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(channel, agency, officer):
    rng = random.Random(7)
    other_channel = ChannelFactory(agency=agency, platform="instagram", account_id="IG1")
    colleague = UserFactory(username="kari", agency=agency)
    labels = [Label.objects.create(agency=agency, name=n) for n in ("fraud", "school")]
    now = timezone.now()
    # Distinct activity times, so that the order is total and lists compare.
    seconds = rng.sample(range(3000), 120)
    for i in range(120):
        ch = rng.choice([channel, other_channel])
        c = ConversationFactory(
            channel=ch,
            agency=agency,
            contact__channel=ch,
            contact__agency=agency,
            status=rng.choice(["open", "open", "pending", "closed", "closed", "closed"]),
            priority=rng.choice([0, 1, 2, 2, 3]),
            assignee=rng.choice([officer, colleague, None]),
            # Ties and no wait at all, so that the whole order is exercised.
            waiting_since=rng.choice([None, now - timedelta(hours=rng.randint(1, 5))]),
            last_message_at=now - timedelta(seconds=seconds[i]),
        )
        c.labels.add(*[lb for lb in labels if rng.random() < 0.4])
    # Another agency's conversations carry the same label name and never show.
    foreign = AgencyFactory(slug="other")
    foreign_channel = ChannelFactory(agency=foreign, account_id="F1")
    foreign_label = Label.objects.create(agency=foreign, name="fraud")
    for _ in range(5):
        ConversationFactory(
            channel=foreign_channel,
            agency=foreign,
            contact__channel=foreign_channel,
            contact__agency=foreign,
        ).labels.add(foreign_label)
    return {"channels": [channel, other_channel], "colleague": colleague, "labels": labels}


def _plain(user, filters: InboxFilters, limit: int) -> list:
    """The queue as one query over all statuses."""
    qs = Conversation.objects.visible_to(user).filter(labels__id=filters.label)
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.assignee == "me":
        qs = qs.filter(assignee=user)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    return list(qs.order_by(*QUEUE_ORDER).values_list("pk", flat=True)[:limit])


@pytest.mark.parametrize("limit", [1, 7, 51, 200])
@pytest.mark.parametrize("channel_index", [None, 0, 1])
@pytest.mark.parametrize("assignee", ["", "me", "none", "colleague"])
def test_same_rows_in_the_same_order(queue, officer, limit, channel_index, assignee):
    if channel_index is None and not assignee:
        pytest.skip("the plain query: nothing to compare")
    if assignee == "colleague":
        assignee = str(queue["colleague"].pk)
    channel = queue["channels"][channel_index].pk if channel_index is not None else None
    for label in queue["labels"]:
        filters = InboxFilters(status="", label=label.pk, channel=channel, assignee=assignee)
        with CaptureQueriesContext(connection) as queries:
            found = list(
                conversation_list(user=officer, filters=filters, limit=limit).values_list(
                    "pk", flat=True
                )[:limit]
            )
        expected = _plain(officer, filters, limit)
        assert found == expected
        if connection.vendor == "postgresql":
            assert "UNION ALL" in queries.captured_queries[-1]["sql"]


def test_rows_partial_same_html(officer_client, queue, officer):
    """The page draws the same rows through either query."""
    label = queue["labels"][0]
    r = officer_client.get(
        "/inbox/",
        {"status": "", "label": label.pk, "assignee": "me"},
        headers={"HX-Request": "true"},
    )
    body = r.content.decode()
    expected = _plain(officer, InboxFilters(status="", label=label.pk, assignee="me"), 50)
    positions = [body.index(str(pk)) for pk in expected]
    assert positions == sorted(positions)
    assert body.count('<tr class="prio-') == len(expected)


@pytest.mark.parametrize("limit", [1, 3, 9, 10, 11])
def test_one_status_fills_the_page(channel, agency, officer, limit):
    """The whole first page from one status: each status must give a page."""
    label = Label.objects.create(agency=agency, name="fraud")
    now = timezone.now()
    for i, status in enumerate(["closed"] * 10 + ["open", "pending"]):
        ConversationFactory(
            channel=channel,
            agency=agency,
            contact__channel=channel,
            contact__agency=agency,
            status=status,
            priority=0 if status == "closed" else 3,
            assignee=officer,
            last_message_at=now - timedelta(minutes=i),
        ).labels.add(label)
    filters = InboxFilters(status="", label=label.pk, assignee="me")
    found = list(
        conversation_list(user=officer, filters=filters, limit=limit).values_list("pk", flat=True)[
            :limit
        ]
    )
    assert found == _plain(officer, filters, limit)
    assert len(found) == min(limit, 12)

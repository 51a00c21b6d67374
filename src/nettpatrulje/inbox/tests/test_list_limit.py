"""The inbox shows a page of conversations, more on request, never unbounded."""

from __future__ import annotations

import pytest

from nettpatrulje.inbox.selectors import LIST_LIMIT, LIST_PAGE
from nettpatrulje.testing.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(channel):
    return ConversationFactory.create_batch(
        LIST_PAGE + 5,
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )


def _rows(body: str) -> int:
    return body.count('<tr class="prio-')


def test_first_page_and_more_link(officer_client, many):
    body = officer_client.get("/inbox/").content.decode()
    assert _rows(body) == LIST_PAGE
    assert f"status=open&amp;limit={2 * LIST_PAGE}" in body
    more = officer_client.get("/inbox/", {"limit": 2 * LIST_PAGE}).content.decode()
    assert _rows(more) == LIST_PAGE + 5
    assert "limit=" not in more.split("</table>")[1]


def test_live_rows_keep_the_limit(officer_client, many):
    r = officer_client.get("/inbox/", {"limit": 2 * LIST_PAGE}, headers={"hx-request": "true"})
    assert _rows(r.content.decode()) == LIST_PAGE + 5


@pytest.mark.parametrize("limit", ["0", "-5", "abc", "99999999", str(LIST_LIMIT * 10), "1e3"])
def test_odd_limits_are_clamped(officer_client, many, limit):
    r = officer_client.get("/inbox/", {"limit": limit})
    assert r.status_code == 200
    assert LIST_PAGE <= _rows(r.content.decode()) <= LIST_LIMIT

"""In Chromium: the search box finds a conversation by a word in its messages,
and a long queue shows a page with 'Show more conversations'."""

from __future__ import annotations

import re

import pytest

from nettpatrulje.inbox.selectors import LIST_PAGE
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_and_show_more(live_server, channel, officer, page, artifacts):
    from playwright.sync_api import expect

    conversations = ConversationFactory.create_batch(
        LIST_PAGE + 3,
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    for conv in conversations:
        MessageFactory(conversation=conv, text="Takk for svar!", language="nb")
    wanted = conversations[7]
    MessageFactory(conversation=wanted, text="Jeg ble svindlet på Marketplace", language="nb")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ola")
    page.fill("#id_password", "pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox/$"))

    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(LIST_PAGE)
    more = page.get_by_role("link", name="Show more conversations")
    expect(more).to_be_visible()
    page.screenshot(path=artifacts / "01-first-page.png", full_page=True)
    more.click()
    expect(rows).to_have_count(LIST_PAGE + 3)
    expect(more).to_have_count(0)
    expect(page.locator("#id_status")).to_have_value("open")

    page.fill("#id_q", "marketplace")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_attribute("href", re.compile(str(wanted.pk)))
    page.screenshot(path=artifacts / "02-search.png", full_page=True)

"""The dashboard as an analyst uses it, in Chromium: figures of the fixed October
data set (the hand-computed ones of test_figures), a filter that changes them,
charts drawn as SVG with their numbers in a table beside them, and the export
links carrying the filter."""

from __future__ import annotations

import re

import pytest

from nettpatrulje.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OCTOBER = "start=2026-10-01&end=2026-10-31"


def key_figure(page, label: str) -> str:
    figure = page.locator(".kf", has=page.locator(".kf-label", has_text=label))
    return figure.locator(".kf-value").inner_text().strip()


def test_dashboard_figures_filter_and_charts(live_server, dataset, page, artifacts):
    from playwright.sync_api import expect

    UserFactory(agency=dataset["agency"], username="ana", roles=["analyst"])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", "pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox/$"))

    page.goto(f"{live_server.url}/reports/?{OCTOBER}")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    assert key_figure(page, "messages received") == "7"
    assert key_figure(page, "replies by officers") == "4"
    assert key_figure(page, "new conversations") == "5"
    # Working minutes 30, 120, 10 and 480: half of them within target.
    assert key_figure(page, "answered within target") == "50.0 %"
    assert key_figure(page, "waiting for us now") == "1"

    # Each chart is an SVG with its figures in a table beside it.
    monthly = page.locator("figure.chart-block", has_text="Messages received per month, by channel")
    expect(monthly.locator("svg")).to_have_count(1)
    rows = monthly.locator(".chart-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text("2026-10")
    expect(rows.first.locator("td").last).to_have_text("7")  # the total column
    assert page.locator("figure.chart-block svg").count() >= 6
    page.screenshot(path=str(artifacts / "dashboard-october.png"), full_page=True)

    # Filtering on the Messenger channel keeps its two conversations only.
    page.locator("#id_channel").select_option(str(dataset["messenger"].pk))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"channel={dataset['messenger'].pk}"))
    assert key_figure(page, "messages received") == "4"  # 1 + (1 + 2 more)
    assert key_figure(page, "new conversations") == "2"
    assert key_figure(page, "waiting for us now") == "0"
    export = page.get_by_role("link", name="CSV").first
    assert f"channel={dataset['messenger'].pk}" in export.get_attribute("href")
    assert "start=2026-10-01" in export.get_attribute("href")
    page.screenshot(path=str(artifacts / "dashboard-messenger.png"), full_page=True)

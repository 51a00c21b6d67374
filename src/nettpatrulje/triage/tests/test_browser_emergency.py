"""End to end: an emergency arrives over the Meta webhook while a supervisor watches the inbox.

The red alert appears without a reload (htmx polls the banner every 2 s), the sender
has already been told to call 112 (through the fake Graph API), and the supervisor's
acknowledgement clears the banner and is recorded on the conversation.
"""

from __future__ import annotations

import re

import httpx
import pytest

from nettpatrulje.channels.meta import sign
from nettpatrulje.testing.meta import encode, envelope, text_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENDER = "PSID-EMERGENCY-1"
EMERGENCY = "min venn skrev at hun skal ta livet sitt i kveld, hun har tatt masse piller"
# Waits for something that arrives by polling (every 2 s): a few polls' worth.
POLLED = 8_000


def post_webhook(base_url: str, text: str) -> None:
    body = encode(envelope("PAGE1", text_event(SENDER, "PAGE1", text)))
    response = httpx.post(
        f"{base_url}/webhooks/meta",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, "test-app-secret"),
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_supervisor_sees_emergency_alert_and_acknowledges_it(
    live_server, transactional_db, fake_graph, channel, agency, page, artifacts
):
    from playwright.sync_api import expect

    from nettpatrulje.testing.factories import UserFactory
    from nettpatrulje.triage.models import EmergencyAlert

    UserFactory(
        username="kari",
        first_name="Kari",
        last_name="Nordmann",
        agency=agency,
        roles=["supervisor"],
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "kari")
    page.fill("#id_password", "pw-for-tests-only")
    # The banner is polled (hx-trigger "load, every 2s"): wait for the first poll to land.
    with page.expect_response(re.compile(r"/triage/alerts/banner$")):
        page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox/$"))

    alerts = page.locator("#alerts")
    banner = alerts.locator(".alert-emergency")
    rows = page.locator("table.queue tbody tr")
    expect(banner).to_have_count(0)
    expect(rows).to_have_text(re.compile("No conversations match"))
    # Marks this document: if the page were reloaded the mark would be gone.
    page.evaluate("window.__sameDocument = true")
    page.screenshot(path=artifacts / "01-inbox-empty.png", full_page=True)

    post_webhook(live_server.url, EMERGENCY)

    expect(banner).to_have_count(1, timeout=POLLED)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Emergency")
    expect(banner).to_contain_text("hun har tatt masse piller")
    expect(banner.get_by_role("button", name="Acknowledge")).to_be_visible()
    # The inbox rows are polled too: the conversation is on top, in human words.
    expect(rows).to_have_count(1, timeout=POLLED)
    row = rows.first
    expect(row).to_have_class(re.compile(r"\bprio-0\b"))
    expect(row.locator(".badge")).to_have_text("Emergency")
    expect(row.locator(".tag").first).to_have_text("Self-harm/suicide risk")
    expect(row).not_to_contain_text("self_harm")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    page.screenshot(path=artifacts / "02-emergency-alert.png", full_page=True)

    # The sender was told to call 112, at once and without an officer.
    sent = fake_graph.state.sent
    assert len(sent) == 1, sent
    assert sent[0]["recipient"] == SENDER
    assert "112" in sent[0]["message"]["text"]

    with page.expect_response(re.compile(r"/triage/alerts/\d+/ack$")) as ack:
        banner.get_by_role("button", name="Acknowledge").click()
    assert ack.value.ok, ack.value.status
    expect(banner).to_have_count(0)
    expect(alerts).to_be_hidden()
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    page.screenshot(path=artifacts / "03-acknowledged.png", full_page=True)

    alert = EmergencyAlert.objects.select_related("acknowledged_by").get()
    assert alert.acknowledged_by.username == "kari"
    assert alert.acknowledged_at is not None

    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/inbox/c/[0-9a-f-]+/$"))
    triage_card = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Triage")
    )
    expect(triage_card.locator(".alert-line")).to_contain_text(
        re.compile(r"acknowledged by Kari Nordmann at \S")
    )
    expect(triage_card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(triage_card.locator("dl.facts")).to_contain_text("Self-harm/suicide risk")
    expect(triage_card.locator("dl.facts")).to_contain_text("Emergency")
    # The automatic reply is in the thread, delivered.
    thread = page.locator("#thread")
    auto = thread.locator("li.msg.out").filter(has_text="112")
    expect(auto).to_have_count(1)
    expect(auto.locator('.delivery[data-state="sent"]')).to_be_visible(timeout=POLLED)
    expect(page.locator("#alerts .alert-emergency")).to_have_count(0)
    page.screenshot(path=artifacts / "04-conversation-acknowledged.png", full_page=True)

    # The correction form names things in words and still submits the identifiers.
    inbound = thread.locator("li.msg.in").first
    expect(inbound.locator(".tag.flag")).to_have_text(["Imminent", "Suicide risk"])
    inbound.get_by_text("Correct triage").click()
    category = inbound.get_by_label("Category")
    expect(category).to_be_visible()
    expect(category).to_have_value("self_harm")
    expect(category.locator("option:checked")).to_have_text("Self-harm/suicide risk")
    expect(inbound.get_by_label("Urgency").locator("option:checked")).to_have_text("Emergency")
    expect(inbound.get_by_label("Suicide risk")).to_be_checked()
    expect(inbound.get_by_label("Suicide risk")).to_have_value("suicide_risk")
    page.screenshot(path=artifacts / "05-correct-triage.png", full_page=True)

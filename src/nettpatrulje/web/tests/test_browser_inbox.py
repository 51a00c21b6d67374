"""End to end: a Meta webhook message arrives over HTTP, an officer answers it in Chromium."""

from __future__ import annotations

import re

import httpx
import pytest

from nettpatrulje.channels.meta import sign
from nettpatrulje.testing.meta import encode, envelope, text_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENDER = "PSID-BROWSER-1"
# Everyday, non-urgent texts: the test is about the pipeline, not about triage
# (an urgent message could one day trigger an automatic reply, a second send).
FIRST = "Hei! Hvordan sjekker jeg om en nettbutikk er ekte?"
SECOND = "Den heter billige-sko.example, forresten."
REPLY = "Hei! Se etter org.nr., kontaktinfo og anmeldelser. Send oss gjerne lenken."


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


def test_officer_answers_a_messenger_message(
    live_server, transactional_db, fake_graph, channel, officer, page, artifacts
):
    from playwright.sync_api import expect

    post_webhook(live_server.url, FIRST)

    page.goto(f"{live_server.url}/login/")
    page.screenshot(path=artifacts / "01-login.png", full_page=True)
    page.fill("#id_username", "ola")
    page.fill("#id_password", "pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox/$"))

    page.goto(f"{live_server.url}/inbox/")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    link = row.get_by_role("link")
    expect(link).to_be_visible()
    page.screenshot(path=artifacts / "02-inbox.png", full_page=True)

    link.click()
    page.wait_for_url(re.compile(r"/inbox/c/[0-9a-f-]+/$"))
    thread = page.locator("#thread")
    expect(thread.get_by_text(FIRST)).to_be_visible()
    page.screenshot(path=artifacts / "03-conversation.png", full_page=True)

    # A message that arrives while the page is open shows up by polling (every 2 s).
    post_webhook(live_server.url, SECOND)
    expect(thread.get_by_text(SECOND)).to_be_visible(timeout=8_000)
    page.screenshot(path=artifacts / "04-second-message.png", full_page=True)

    page.fill("#id_text", REPLY)
    page.get_by_role("button", name="Send reply").click()
    reply = thread.locator("li.msg.out").filter(has_text=REPLY)
    expect(reply).to_be_visible()
    expect(reply.locator('.delivery[data-state="sent"]')).to_be_visible(timeout=8_000)
    expect(reply.locator(".delivery")).to_have_text("Sent")
    page.screenshot(path=artifacts / "05-reply-sent.png", full_page=True)

    sent = fake_graph.state.sent
    assert len(sent) == 1, sent
    assert sent[0]["recipient"] == SENDER
    assert sent[0]["message"]["text"] == REPLY

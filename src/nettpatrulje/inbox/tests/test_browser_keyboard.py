"""Three conversations handled with the keyboard alone: open, reply, close, next."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from nettpatrulje.channels.meta import sign
from nettpatrulje.inbox.models import Conversation
from nettpatrulje.testing.meta import encode, envelope, text_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_three_conversations_without_a_mouse(
    live_server, page, artifacts, fake_graph, channel, officer
):
    for i in range(3):
        body = encode(envelope("PAGE1", text_event(f"KB{i}", "PAGE1", f"hei, spørsmål nummer {i}")))
        httpx.post(
            f"{live_server.url}/webhooks/meta",
            content=body,
            headers={
                "X-Hub-Signature-256": sign(body, "test-app-secret"),
                "Content-Type": "application/json",
            },
        ).raise_for_status()
    page.goto(f"{live_server.url}/login/")
    page.keyboard.type("ola")
    page.keyboard.press("Tab")
    page.keyboard.type("pw-for-tests-only")
    page.keyboard.press("Enter")
    expect(page.locator("tr[data-href]")).to_have_count(3)
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.screenshot(path=artifacts / "shortcuts.png")
    page.keyboard.press("Escape")
    for n in range(3):
        page.keyboard.press("j")
        page.keyboard.press("k")
        expect(page.locator("tr.kb-selected")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(page.locator("#thread")).to_contain_text("spørsmål nummer")
        page.keyboard.press("r")
        expect(page.locator("#id_text")).to_be_focused()
        page.keyboard.type(f"Hei! Svar nummer {n}.")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator(".delivery[data-state='sent']")).to_have_count(1)
        page.keyboard.press("e")
        expect(page.locator("#status")).to_have_value("closed")
        if n == 0:
            page.screenshot(path=artifacts / "closed.png", full_page=True)
        page.keyboard.press("u")
        expect(page.locator("tr[data-href]")).to_have_count(2 - n)
    assert Conversation.objects.filter(status="closed").count() == 3
    assert len(fake_graph.state.sent) == 3

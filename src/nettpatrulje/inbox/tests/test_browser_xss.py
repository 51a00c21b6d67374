"""XSS payloads arriving as messages stay inert in a real browser."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from nettpatrulje.channels.meta import sign
from nettpatrulje.inbox.tests.test_untrusted_text import XSS
from nettpatrulje.testing.meta import encode, envelope, text_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_payloads_never_run(live_server, page, artifacts, channel, officer):
    for i, payload in enumerate(XSS):
        body = encode(envelope("PAGE1", text_event("EVIL1", "PAGE1", payload, mid=f"m_xss_{i}")))
        r = httpx.post(
            f"{live_server.url}/webhooks/meta",
            content=body,
            headers={
                "X-Hub-Signature-256": sign(body, "test-app-secret"),
                "Content-Type": "application/json",
            },
        )
        assert r.status_code == 200
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ola")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button.primary")
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("link", name="…EVIL1").click()
    expect(page.locator(".thread")).to_contain_text('<script>alert("x")</script>')
    page.screenshot(path=artifacts / "xss-thread.png", full_page=True)
    assert dialogs == []
    # Nothing from the payloads became markup.
    assert (
        page.locator(
            ".thread img, .thread svg, .thread iframe, .thread script, .thread a[href^='javascript']"
        ).count()
        == 0
    )
    assert page.evaluate("getComputedStyle(document.body).display") != "none"

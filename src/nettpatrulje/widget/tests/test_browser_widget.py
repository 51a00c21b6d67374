"""End to end in Chromium: a visitor chats on the demo police website, an
officer answers from the inbox in another browser, the visitor sees the answer
without reloading, and the conversation survives a reload."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Hei! Hvordan vet jeg om en konto på Discord er en svindler?"
ANSWER = "Hei! Sjekk om kontoen er ny, og send aldri koder eller penger. Vil du sende oss navnet?"


@pytest.fixture
def live_widget_channel(transactional_db, agency):
    from nettpatrulje.channels.models import Platform
    from nettpatrulje.testing.factories import ChannelFactory

    return ChannelFactory(
        agency=agency, platform=Platform.WIDGET, account_id="wk_browser", access_token=""
    )


def test_visitor_and_officer_chat_live(
    live_server, transactional_db, live_widget_channel, officer, browser, page, artifacts
):
    from playwright.sync_api import expect

    from nettpatrulje.inbox.models import Conversation

    # --- The visitor on the police website -----------------------------------
    page.goto(f"{live_server.url}/widget/demo?lang=en")
    launcher = page.get_by_role("button", name="Chat with the police")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.screenshot(path=artifacts / "01-launcher-closed.png")

    launcher.focus()
    page.keyboard.press("Enter")  # keyboard only
    panel = page.get_by_role("dialog", name="Chat with the police")
    expect(panel).to_be_visible()
    expect(panel.get_by_text("Not an emergency service.")).to_be_visible()
    expect(panel.get_by_role("link", name="112")).to_have_attribute("href", "tel:112")
    expect(panel.get_by_text("Opening hours")).to_be_visible()
    expect(panel.get_by_text("Open now")).to_be_visible()
    expect(panel.get_by_text("Mon–Sun")).to_be_visible()
    box = panel.get_by_label("Your message")
    expect(box).to_be_focused()
    page.screenshot(path=artifacts / "02-panel-open.png")

    box.fill(QUESTION)
    box.press("Enter")
    log = panel.get_by_role("log")
    mine = log.locator("li.np-mine").filter(has_text=QUESTION)
    expect(mine).to_be_visible()
    # The server's copy replaces the optimistic one.
    expect(mine).to_have_attribute("data-id", re.compile(r"^[0-9a-f-]{36}$"), timeout=15_000)
    expect(box).to_have_value("")

    conversation = Conversation.objects.get(channel=live_widget_channel)
    assert conversation.messages.get().text == QUESTION

    # --- The officer, in another browser context -----------------------------------
    officer_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en")
    try:
        officer_page = officer_context.new_page()
        officer_page.set_default_timeout(10_000)
        officer_page.goto(f"{live_server.url}/login/")
        officer_page.fill("#id_username", "ola")
        officer_page.fill("#id_password", "pw-for-tests-only")
        officer_page.get_by_role("button", name="Log in").click()
        officer_page.wait_for_url(re.compile(r"/inbox/$"))
        officer_page.goto(f"{live_server.url}/inbox/c/{conversation.pk}/")
        expect(officer_page.locator("#thread").get_by_text(QUESTION)).to_be_visible()
        officer_page.fill("#id_text", ANSWER)
        officer_page.get_by_role("button", name="Send reply").click()
        reply = officer_page.locator("#thread li.msg.out").filter(has_text=ANSWER)
        expect(reply.locator('.delivery[data-state="sent"]')).to_be_visible(timeout=8_000)
        # The visitor's widget fetches it within one poll: "delivered" appears by polling.
        expect(reply.get_by_text("delivered")).to_be_visible(timeout=10_000)
        officer_page.screenshot(path=artifacts / "04-officer-thread.png", full_page=True)
    finally:
        officer_context.close()

    # --- The visitor sees the answer without reloading ----------------------------
    theirs = log.locator("li.np-theirs").filter(has_text=ANSWER)
    expect(theirs).to_be_visible(timeout=8_000)
    page.screenshot(path=artifacts / "03-answered.png")

    # --- Reload: the conversation is still there (token in localStorage) ------------
    page.reload()
    panel = page.get_by_role("dialog", name="Chat with the police")
    expect(panel).to_be_visible()  # it was open before the reload
    log = panel.get_by_role("log")
    expect(log.locator("li.np-mine").filter(has_text=QUESTION)).to_have_count(1)
    expect(log.locator("li.np-theirs").filter(has_text=ANSWER)).to_have_count(1)
    page.screenshot(path=artifacts / "05-after-reload.png")

    # Escape closes the panel and gives focus back to the launcher.
    panel.get_by_label("Your message").press("Escape")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name="Chat with the police")).to_be_focused()
    assert Conversation.objects.filter(channel=live_widget_channel).count() == 1


def test_widget_speaks_the_host_pages_language(
    live_server, transactional_db, live_widget_channel, page, artifacts
):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/widget/demo?lang=nb")
    page.get_by_role("button", name="Chat med politiet").click()
    panel = page.get_by_role("dialog", name="Chat med politiet")
    expect(panel.get_by_text("Ikke en nødtjeneste.")).to_be_visible()
    expect(panel.get_by_text("Åpningstider")).to_be_visible()
    page.screenshot(path=artifacts / "01-panel-nb.png")
    page.goto(f"{live_server.url}/widget/demo?lang=fi")
    expect(page.get_by_role("dialog", name="Chattaa poliisin kanssa")).to_be_visible()  # stays open
    expect(page.get_by_text("Tämä ei ole hätäpalvelu.")).to_be_visible()


def host_page(live_server_url: str, key: str, lang: str) -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Poliisi</title>'
        "</head><body><h1>Poliisi</h1><p>Nettipoliisi.</p>"
        f'<script src="{live_server_url}/static/widget/widget.js" data-widget-key="{key}" async>'
        "</script></body></html>"
    )


@contextmanager
def website(html: str):
    """A police website on its own loopback origin (127.0.0.1:<port>; the app
    is at localhost:<port>): a different origin, and loopback both, so
    Chromium's local-network rules do not interfere."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_widget_embedded_on_another_origin(
    live_server, transactional_db, agency, browser, page, artifacts
):
    """The real case: the police website is another origin than the app. CORS
    with preflight (Authorization header, JSON) is done by Chromium itself."""
    from playwright.sync_api import expect

    from nettpatrulje.channels.models import Channel, Platform
    from nettpatrulje.inbox.models import Message
    from nettpatrulje.testing.factories import ChannelFactory

    channel = ChannelFactory(
        agency=agency, platform=Platform.WIDGET, account_id="wk_cross", access_token=""
    )
    with website(host_page(live_server.url, "wk_cross", "fi")) as site:
        Channel.objects.filter(pk=channel.pk).update(config={"origins": [site]})
        page.goto(f"{site}/poliisi")
        page.get_by_role("button", name="Chattaa poliisin kanssa").click()
        panel = page.get_by_role("dialog", name="Chattaa poliisin kanssa")
        expect(panel.get_by_text("Tämä ei ole hätäpalvelu.")).to_be_visible()
        box = panel.get_by_label("Viestisi")
        box.fill("Moi! Onko tämä huijaus?")
        box.press("Enter")
        mine = panel.get_by_role("log").locator("li.np-mine")
        expect(mine).to_have_attribute("data-id", re.compile(r"^[0-9a-f-]{36}$"), timeout=15_000)
        page.screenshot(path=artifacts / "01-cross-origin-fi.png")
    assert Message.objects.filter(channel=channel).count() == 1

    # Another website copying the tag gets nothing through: the preflight is refused.
    with website(host_page(live_server.url, "wk_cross", "en")) as copycat:
        page.goto(f"{copycat}/copy")
        page.get_by_role("button", name="Chat with the police").click()
        panel = page.get_by_role("dialog", name="Chat with the police")
        expect(panel.get_by_role("alert")).to_have_text(
            "No connection. Trying again…", timeout=15_000
        )
        panel.get_by_label("Your message").fill("copied")
        panel.get_by_label("Your message").press("Enter")
        expect(panel.get_by_role("log").locator("li.np-mine")).to_have_count(1)
        page.screenshot(path=artifacts / "02-copycat-refused.png")
    assert Message.objects.filter(channel=channel).count() == 1

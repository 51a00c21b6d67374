"""End to end in Chromium: a visitor chats on the demo police website, an
officer answers from the inbox in another browser, the visitor sees the answer
without reloading, and the conversation survives a reload."""

from __future__ import annotations

import re

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
    expect(mine).to_have_attribute("data-id", re.compile(r"^[0-9a-f-]{36}$"))  # the server's copy
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

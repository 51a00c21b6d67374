"""An officer switches the interface to each of the seven languages in the header, and
the inbox and a conversation speak it: <html lang>, the catalogue's words, dates in the
language's own format, and a layout that still fits a tablet with the longest words.
Screenshots of both pages in every language go to test-artifacts/."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx
import pytest
from django.conf import settings
from django.utils import dateformat, translation

from nettpatrulje.channels.meta import sign
from nettpatrulje.testing.axe import horizontal_overflow
from nettpatrulje.testing.meta import encode, envelope, text_event
from nettpatrulje.web.tests.test_browser_accessibility import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGES = [
    ("PSID-FI", "Joku kiristää ystävääni alastonkuvilla ja vaatii rahaa huomiseen mennessä"),
    ("PSID-IS", "Hvernig tilkynni ég óviðeigandi skilaboð á Discord?"),
    ("PSID-NB", "noen i discorden vår skriver at han skal ta med kniv på skolen i morgen"),
]


def _post(base_url: str, sender: str, text: str) -> None:
    body = encode(envelope("PAGE1", text_event(sender, "PAGE1", text)))
    httpx.post(
        f"{base_url}/webhooks/meta",
        content=body,
        headers={
            "X-Hub-Signature-256": sign(body, "test-app-secret"),
            "Content-Type": "application/json",
        },
        timeout=10,
    ).raise_for_status()


# Each language's own short date-time: day first everywhere but in (US) English, and
# Finnish hours with a dot. Icelandic is ours (nettpatrulje/formats): Django has none.
SHORT_DATETIME = {
    "nb": "d.m.Y H:i",
    "nn": "d.m.Y H:i",
    "en": "m/d/Y P",
    "fi": "j.n.Y G.i",
    "nl": "j-n-Y H:i",
    "fr": "d/m/Y H:i",
    "is": "j.n.Y H:i",
}


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_each_language_in_inbox_and_conversation(
    live_server, browser, artifacts, fake_graph, channel, agency
):
    from playwright.sync_api import expect

    from nettpatrulje.accounts.models import User
    from nettpatrulje.inbox.models import Message
    from nettpatrulje.testing.factories import UserFactory

    kari = UserFactory(
        username="kari", agency=agency, roles=["supervisor", "officer"], language="en"
    )
    for sender, text in MESSAGES:
        _post(live_server.url, sender, text)
    finnish = Message.objects.get(text=MESSAGES[0][1])
    oslo = ZoneInfo(agency.timezone)

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en")
    context.add_cookies([session_cookie(live_server.url, "kari")])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/inbox/")
        for code, _name in settings.LANGUAGES:
            # The officer picks the language in the header, from whatever page she is on.
            page.select_option("#lang", code)
            expect(page.locator("html")).to_have_attribute("lang", code)
            page.goto(f"{live_server.url}/inbox/")
            expect(page.locator("html")).to_have_attribute("lang", code)
            nav = page.get_by_role("navigation", name=_in(code, "Main"))
            expect(nav.get_by_role("link", name=_in(code, "Inbox"))).to_be_visible()
            expect(page.locator("table.queue thead")).to_contain_text(_in(code, "Priority"))
            expect(page.locator("tr[data-href]")).to_have_count(len(MESSAGES))
            # How long each has waited, in the language's words (Django's own Icelandic
            # catalogue has none: nettpatrulje/web/templatetags/since.py).
            with translation.override(code):
                waited = {
                    translation.ngettext("%(num)d minute", "%(num)d minutes", n) % {"num": n}
                    for n in range(10)
                }
            for cell in page.locator("tr[data-href] time").all_inner_texts():
                assert cell.replace("\xa0", " ") in waited, (code, cell)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=artifacts / f"inbox-{code}.png", full_page=True)

            page.locator(f'tr[data-href="/inbox/c/{finnish.conversation_id}/"] a').click()
            thread = page.locator("#thread")
            expect(thread).to_contain_text(MESSAGES[0][1])
            with translation.override(code):
                sent_at = dateformat.format(finnish.sent_at.astimezone(oslo), SHORT_DATETIME[code])
            expect(thread.locator("time").first).to_have_text(sent_at)
            expect(page.get_by_role("button", name=_in(code, "Send reply"))).to_be_visible()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=artifacts / f"conversation-{code}.png", full_page=True)

            page.set_viewport_size({"width": 768, "height": 1024})
            page.evaluate("() => new Promise(r => requestAnimationFrame(r))")
            assert horizontal_overflow(page) == [], (code, horizontal_overflow(page))
            page.screenshot(path=artifacts / f"conversation-{code}-tablet.png")
            page.set_viewport_size({"width": 1280, "height": 800})
            kari.refresh_from_db()
            assert kari.language == code
    finally:
        context.close()
    assert User.objects.get(pk=kari.pk).language == "is"

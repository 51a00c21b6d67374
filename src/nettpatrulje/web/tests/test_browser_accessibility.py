"""Every main page, with the demo's data, passes axe-core's WCAG 2.1 A/AA rules (and its
best practices) with no serious or critical violation on a laptop, still lets the
keyboard reach what scrolls in a window zoomed to 200 %, and fits a tablet and the
zoomed window without sideways scrolling (WCAG 1.4.10).

One seeded database and one visit per page: the viewport is resized in place."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from nettpatrulje.testing.axe import LAYOUT_RULES, axe_violations, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}
# A tablet upright, and a 1280 px window at 200 % zoom (the same CSS width as 640 px).
NARROW = {"tablet": {"width": 768, "height": 1024}, "zoom200": {"width": 640, "height": 800}}


def _open_widget(page) -> None:
    """The web chat panel, opened: its own dialog must pass too (open shadow DOM)."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Chat with the police").click()
    expect(page.locator("#np-panel")).to_be_visible()


def _pages() -> list[tuple[str, str | None, str, Callable | None]]:
    """(name, username or None for anonymous, path, what to do first) for the main pages."""
    from nettpatrulje.inbox.models import Conversation
    from nettpatrulje.library.models import Article
    from nettpatrulje.patrols.models import GuidanceRequest, Operation, PatrolSession, Referral

    conversation = (
        Conversation.objects.filter(agency__slug="kripos").order_by("-last_inbound_at").first()
    )
    week = Operation.objects.get(slug="empact-action-week-2023")
    live = Operation.objects.get(slug="nordic-gaming-patrol-live")
    session = PatrolSession.objects.filter(operation=week).order_by("pk").first()
    article = Article.objects.filter(agency__slug="kripos").order_by("pk").first()
    guidance = GuidanceRequest.objects.filter(addressed_to__slug="kripos").order_by("pk").first()
    referral = Referral.objects.filter(to_agency__slug="kripos").order_by("pk").first()
    return [
        ("login", None, "/login/", None),
        ("demo-landing", None, "/", None),
        ("widget-demo", None, "/widget/demo?lang=en", _open_widget),
        ("inbox", "kari", "/inbox/", None),
        ("conversation", "kari", f"/inbox/c/{conversation.pk}/", None),
        ("patrols-home", "ola", "/patrols/", None),
        ("operations", "coordinator", "/patrols/operations/", None),
        ("action-week", "coordinator", f"/patrols/operations/{week.pk}/", None),
        ("live-board", "coordinator", f"/patrols/operations/{live.pk}/board/", None),
        ("session-log", "mentor", f"/patrols/sessions/{session.pk}/", None),
        ("library", "ola", "/library/", None),
        ("article", "ola", f"/library/{article.pk}/", None),
        ("reports", "analyst", "/reports/", None),
        ("audit-trail", "admin", "/admin/audit/", None),
        ("channels", "admin", "/admin/channels/", None),
        ("triage-quality", "kari", "/triage/quality/", None),
        ("two-factor-setup", "ola", "/account/2fa/setup", None),
        # Forms, where missing labels hide.
        ("article-new", "mentor", "/library/new/", None),
        ("operation-new", "coordinator", "/patrols/operations/new/", None),
        ("guidance", "mentor", f"/patrols/guidance/{guidance.pk}/", None),
        ("referral", "kari", f"/patrols/referrals/{referral.pk}/", None),
        ("channel-new", "admin", "/admin/channels/new?platform=messenger", None),
        ("operation-report", "analyst", f"/reports/operations/{week.pk}/?format=html", None),
    ]


def session_cookie(base_url: str, username: str) -> dict:
    """A signed-in session for the user, without going through the login form."""
    from nettpatrulje.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}


def _settle(page) -> None:
    # After a resize, let the page lay out and app.js react before measuring.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_main_pages_pass_axe_and_reflow(live_server, browser, settings, artifacts):
    from nettpatrulje.web.demo import seed_demo

    settings.DEMO_MODE = True
    seed_demo()
    violations: list = []
    overflow: list[str] = []
    contexts: dict = {}
    try:
        for name, username, path, prepare in _pages():
            if username not in contexts:
                context = browser.new_context(viewport=LAPTOP, locale="en")
                if username:
                    context.add_cookies([session_cookie(live_server.url, username)])
                contexts[username] = context
            page = contexts[username].new_page()
            page.set_default_timeout(10_000)
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, (name, path)
            page.wait_for_load_state("networkidle")
            if prepare:
                prepare(page)
            page.screenshot(path=artifacts / f"{name}.png", full_page=True)
            violations += axe_violations(page, name)
            for tag, viewport in NARROW.items():
                page.set_viewport_size(viewport)
                _settle(page)
                page.screenshot(path=artifacts / f"{name}-{tag}.png")
                overflow += [f"{name} at {tag}: {o}" for o in horizontal_overflow(page)]
            violations += axe_violations(page, f"{name} at zoom200", LAYOUT_RULES)
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    report = []
    if violations:
        report += ["axe-core, WCAG 2.1 A/AA, serious or critical:", *map(str, violations)]
    if overflow:
        report += ["pages that scroll sideways:", *overflow]
    assert not report, "\n".join(report)


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || el.name || '').trim().slice(0, 30),
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
    shown: r.width > 0 && r.height > 0,
  };
}"""


def test_keyboard_focus_is_always_visible(live_server, page, artifacts, channel, officer):
    """WCAG 2.4.7: tabbing through the inbox and a conversation, every stop shows a ring."""
    from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

    conversation = ConversationFactory(contact__channel=channel)
    MessageFactory(conversation=conversation, text="Hei, kan dere hjelpe meg?")
    page.context.add_cookies([session_cookie(live_server.url, officer.username)])
    for name, path in (("inbox", "/inbox/"), ("conversation", f"/inbox/c/{conversation.pk}/")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        stops: list[str] = []
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_STYLE)
            if focused is None:  # the document itself, before the first stop and after the last
                continue
            if focused["what"] in stops:
                break
            stops.append(focused["what"])
            assert focused["shown"] and focused["ring"], (name, focused)
            if len(stops) == 3:
                page.screenshot(path=artifacts / f"{name}-focus.png")
        assert len(stops) >= 8, (name, stops)


def test_polling_leaves_the_emergency_banner_and_its_focus_alone(
    live_server, page, channel, agency
):
    """The banner is polled every 2 s. A supervisor who tabs to "Acknowledge" keeps the
    focus there across polls, and a screen reader hears the alert once, not every poll."""
    import re

    from playwright.sync_api import expect

    from nettpatrulje.testing.factories import ConversationFactory, MessageFactory, UserFactory
    from nettpatrulje.triage.models import EmergencyAlert

    UserFactory(username="kari", agency=agency, roles=["supervisor", "officer"])
    conversation = ConversationFactory(contact__channel=channel)
    message = MessageFactory(conversation=conversation, text="han har en kniv")
    EmergencyAlert.objects.create(agency=agency, conversation=conversation, message=message)
    page.context.add_cookies([session_cookie(live_server.url, "kari")])
    page.goto(f"{live_server.url}/library/")
    button = page.locator("#alerts").get_by_role("button", name="Acknowledge")
    button.focus()
    page.evaluate("document.querySelector('#alerts .alert-emergency').dataset.first = '1'")
    for _ in range(2):  # two polls later, the same element, still focused
        with page.expect_response(re.compile(r"/triage/alerts/banner\?v=")) as poll:
            pass
        assert poll.value.status == 204
    expect(button).to_be_focused()
    expect(page.locator("#alerts .alert-emergency[data-first='1']")).to_have_count(1)

    # A second alert is a change: the banner is redrawn with both.
    second = MessageFactory(conversation=conversation, text="nå er han på skolen")
    EmergencyAlert.objects.create(agency=agency, conversation=conversation, message=second)
    expect(page.locator("#alerts .alert-emergency")).to_have_count(2)
    with page.expect_response(re.compile(r"/triage/alerts/\d+/ack$")):
        page.locator("#alerts").get_by_role("button", name="Acknowledge").first.click()
    expect(page.locator("#alerts .alert-emergency")).to_have_count(1)

"""The whole action week in miniature, in Chromium: plan, patrol, ask, answer, refer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from nettpatrulje.library.services import article_create
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ConversationFactory,
    MessageFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PII_TEXT = "Vennen min i Helsinki blir utpresset av @darkfox99, ring ham på +358401234567."


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/inbox/$"))


def test_action_week_in_miniature(live_server, transactional_db, page, artifacts):
    from playwright.sync_api import expect

    kripos = AgencyFactory(slug="kripos", name="Kripos", country="NO", timezone="Europe/Oslo")
    poliisi = AgencyFactory(
        slug="poliisi", name="Poliisi", country="FI", timezone="Europe/Helsinki"
    )
    UserFactory(username="coordinator", agency=kripos, roles=["coordinator"])
    mentor = UserFactory(
        username="mentor", agency=kripos, roles=["mentor", "officer"], first_name="Ingrid"
    )
    UserFactory(username="aino", agency=poliisi, roles=["officer"], first_name="Aino")
    UserFactory(username="ola", agency=kripos, roles=["officer"])
    article_create(
        actor=mentor, slug="sextortion", language="en",
        title="How to talk with youth about sextortion",
        body="# What to say\n\nThe young person is **not** to blame.\n\n- Do not pay\n- Keep the chat",
    )  # fmt: skip
    source = ConversationFactory(contact__channel__agency=kripos)
    MessageFactory(conversation=source, text=PII_TEXT)
    base = live_server.url
    today = timezone.localdate()

    # 1. The coordinator plans an operation with two countries and a slot.
    login(page, base, "coordinator")
    page.goto(f"{base}/patrols/operations/new/")
    page.fill("#id_name", "Mini action week")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + timedelta(days=2)).isoformat())
    page.get_by_label("Poliisi (FI)").check()
    page.get_by_label("Minecraft").check()
    page.get_by_label("Fortnite").check()
    page.screenshot(path=artifacts / "01-new-operation.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/patrols/operations/\d+/$"))
    for agency, platform in (("Poliisi (FI)", "minecraft"), ("Kripos (NO)", "fortnite")):
        page.select_option("#id_agency", label=agency)
        page.select_option("#id_platform", platform)
        page.fill("#id_day", today.isoformat())
        page.fill("#id_start", "00:00")
        page.fill("#id_end", "23:59")
        page.get_by_role("button", name="Add slot").click()
        page.wait_for_url(re.compile(r"/patrols/operations/\d+/$"))
    expect(page.locator("table.slots tbody tr")).to_have_count(2)
    page.screenshot(path=artifacts / "02-operation-with-slots.png", full_page=True)
    operation_url = page.url

    # 2. The Finnish officer patrols: a session in the slot, three quick-adds,
    #    an incident, a question for the mentors.
    login(page, base, "aino")
    page.goto(f"{base}/patrols/")
    page.select_option("#id_slot", index=1)
    page.select_option("#id_platform", "minecraft")
    page.fill("#id_game", "Minecraft")
    page.fill("#id_location", "Suomi-serveri")
    page.get_by_role("button", name="Start session").click()
    page.wait_for_url(re.compile(r"/patrols/sessions/\d+/$"))
    lines = [
        "@kasperi 13-15 #bullying ! kicked from his squad every night",
        "@milo <13 #grooming !high adult asks him to move to Snapchat",
        "@zoe 16-17 #sextortion !high friend blackmailed for pictures",
    ]
    rows = page.locator("table.interactions tbody tr")
    for n, line in enumerate(lines, start=1):
        page.fill("#id_line", line)
        page.press("#id_line", "Enter")
        expect(rows.filter(has_text=line.split()[0])).to_have_count(1)
        expect(rows).to_have_count(n)
    expect(page.locator("#id_line")).to_have_value("")
    expect(rows.filter(has_text="@milo")).to_contain_text("grooming")
    page.screenshot(path=artifacts / "03-quick-add.png", full_page=True)

    page.fill("#id_description", "Adult account asks a 12-year-old to move to Snapchat.")
    page.select_option("#id_interaction", index=2)
    page.get_by_role("button", name="Raise incident").click()
    expect(page.get_by_text("Incident recorded and a case opened in the inbox.")).to_be_visible()
    expect(page.get_by_role("link", name="Open the case")).to_be_visible()
    page.fill("#id_question", "How do I answer a girl whose friend is being blackmailed?")
    page.get_by_role("button", name="Ask a mentor").click()
    expect(page.get_by_text("Waiting for a mentor")).to_be_visible()
    page.screenshot(path=artifacts / "04-incident-and-question.png", full_page=True)
    session_url = page.url

    # 3. The Kripos mentor answers from the queue, with a library article.
    login(page, base, "mentor")
    page.goto(f"{base}/patrols/guidance/")
    page.get_by_role("link", name=re.compile("How do I answer a girl")).click()
    page.fill("#id_answer", "Tell her first that her friend is not to blame; then the four steps.")
    page.get_by_label("How to talk with youth about sextortion").check()
    page.screenshot(path=artifacts / "05-mentor-answers.png", full_page=True)
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Answer sent.")).to_be_visible()
    page.goto(operation_url.replace(base, base) + "board/")
    expect(page.locator("#board")).to_contain_text("Aino")
    page.screenshot(path=artifacts / "06-live-board.png", full_page=True)

    # 4. The Finnish officer sees the answer and the article.
    login(page, base, "aino")
    expect(page.locator("#notifications .count")).to_have_text("1")
    page.goto(session_url)
    expect(page.get_by_text("her friend is not to blame")).to_be_visible()
    page.get_by_role("link", name="How to talk with youth about sextortion").click()
    expect(page.locator("article")).to_contain_text("not to blame")
    page.screenshot(path=artifacts / "07-answer-and-article.png", full_page=True)

    # 5. A referral from Norway to Finland arrives redacted.
    login(page, base, "ola")
    page.goto(f"{base}/patrols/referrals/new/?conversation={source.pk}")
    expect(page.locator("#id_shared_text")).not_to_contain_text("358401234567")
    page.select_option("#id_to_agency", label="Poliisi (FI)")
    page.fill("#id_reason", "The victim lives in Helsinki.")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("#referral-state")).to_have_text("Sent")
    login(page, base, "aino")
    page.goto(f"{base}/patrols/referrals/")
    page.locator("table.referrals-received a").first.click()
    shared = page.locator("#shared-text")
    expect(shared).to_contain_text("[PHONE]")
    expect(shared).to_contain_text("[HANDLE]")
    expect(shared).not_to_contain_text("358401234567")
    expect(shared).not_to_contain_text("darkfox99")
    expect(page.get_by_role("link", name="Open the conversation")).to_have_count(0)
    page.screenshot(path=artifacts / "08-referral-received.png", full_page=True)
    page.get_by_role("button", name="Accept and open a case").click()
    page.wait_for_url(re.compile(r"/inbox/c/[0-9a-f-]+/$"))
    expect(page.locator("#thread")).to_contain_text("[PHONE]")
    page.screenshot(path=artifacts / "09-referral-case.png", full_page=True)

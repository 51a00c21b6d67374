from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_landing_and_one_click_login(client, settings):
    settings.DEMO_MODE = True
    call_command("demo", "--seed-only", verbosity=0)
    page = client.get("/").content.decode()
    assert "Log in as aino" in page and "Finnish partner officer" in page
    r = client.post("/demo/login/aino")
    assert r.status_code == 302 and r["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200


def test_no_one_click_login_outside_demo_mode(client, settings):
    settings.DEMO_MODE = False
    call_command("demo", "--seed-only", verbosity=0)
    assert client.get("/")["Location"] == "/login/"
    assert client.post("/demo/login/aino").status_code == 404


def test_only_demo_users(client, settings, officer):
    settings.DEMO_MODE = True
    assert (
        client.post("/demo/login/ola").status_code == 404
    )  # a real user named ola is not a demo user


def test_the_demo_queue_holds_no_case_left_open_for_years():
    from datetime import timedelta

    from django.utils import timezone

    from nettpatrulje.inbox.models import Conversation
    from nettpatrulje.patrols.models import Incident

    call_command("demo", "--seed-only", verbosity=0)
    old_cases = Incident.objects.filter(conversation__isnull=False)
    assert old_cases.exists()  # the 2023 action week's incidents opened cases
    for incident in old_cases:
        assert incident.conversation.status == Conversation.Status.CLOSED
        assert incident.conversation.closed_at - incident.created_at < timedelta(days=2)
    year_ago = timezone.now() - timedelta(days=365)
    stale = Conversation.objects.filter(status="open", last_message_at__lt=year_ago)
    assert not stale.exists()

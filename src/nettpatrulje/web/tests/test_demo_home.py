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

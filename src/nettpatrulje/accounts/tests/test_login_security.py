"""Lockout, session expiry, security headers, API tokens."""

from __future__ import annotations

import time

import pytest

from nettpatrulje.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_lockout_after_repeated_failures(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "ola", "password": "wrong"})
    r = client.post("/login/", {"username": "ola", "password": "pw-for-tests-only"})
    assert r.status_code == 429
    assert b"Too many failed logins" in r.content


def test_successful_login_resets_the_count(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "ola", "password": "wrong"})
    assert (
        client.post("/login/", {"username": "ola", "password": "pw-for-tests-only"}).status_code
        == 302
    )


def test_session_ends_after_inactivity(officer_client, settings):
    assert officer_client.get("/inbox/").status_code == 200
    session = officer_client.session
    session["last_activity"] = time.time() - settings.SESSION_INACTIVITY_SECONDS - 5
    session.save()
    r = officer_client.get("/inbox/")
    assert r.status_code == 302 and "expired=1" in r["Location"]
    assert officer_client.get("/inbox/").status_code == 302


def test_polling_is_not_activity(officer_client, settings):
    officer_client.get("/inbox/")
    session = officer_client.session
    stale = time.time() - settings.SESSION_INACTIVITY_SECONDS + 60
    session["last_activity"] = stale
    session.save()
    officer_client.get("/inbox/", headers={"HX-Request": "true"})
    assert officer_client.session["last_activity"] == stale


def test_activity_is_recorded_to_the_minute_without_a_write_per_page(officer_client, settings):
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer_client.get("/inbox/")
    first = officer_client.session["last_activity"]
    with CaptureQueriesContext(connection) as queries:
        officer_client.get("/inbox/")
    assert officer_client.session["last_activity"] == first
    session_writes = [
        q["sql"]
        for q in queries
        if Session._meta.db_table in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
    ]
    assert session_writes == []
    # A minute later the page counts again.
    session = officer_client.session
    session["last_activity"] = first - 61
    session.save()
    officer_client.get("/inbox/")
    assert officer_client.session["last_activity"] > first - 61


def test_content_security_policy_forbids_inline_code(officer_client):
    policy = officer_client.get("/inbox/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_api_token_shown_once_stored_hashed_expiring_revocable(officer_client, officer):
    r = officer_client.post("/account/tokens/new", {"name": "export script", "lifetime": "30"})
    token = ApiToken.objects.get(user=officer)
    raw = next(line for line in r.content.decode().split() if "np_" in line)
    raw = raw[raw.index("np_") :].split("<")[0]
    assert token.token_hash != raw and raw.startswith(token.prefix)
    assert token.expires_at is not None
    assert raw not in officer_client.get("/account/tokens/").content.decode()
    officer_client.post(f"/account/tokens/{token.pk}/revoke")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_api_docs_page_with_cdn_assets_is_not_served(client):
    assert client.get("/api/v1/docs").status_code == 404

"""Two-factor login is enforced on every page for staff, with TOTP and recovery codes."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from nettpatrulje.accounts import two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.REQUIRE_2FA = True
    # django-otp slows down guessing after a wrong code (1 s, doubling); the tests
    # below make a wrong attempt on purpose and must not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.parametrize(
    "path", ["/inbox/", "/admin/channels/", "/triage/quality/", "/account/tokens/"]
)
def test_pages_need_a_second_factor(officer_client, path):
    r = officer_client.get(path)
    assert r.status_code == 302
    assert r["Location"].startswith("/account/2fa/setup?next=")


def test_htmx_poll_is_told_to_redirect(officer_client):
    r = officer_client.get("/inbox/", headers={"HX-Request": "true"})
    assert r.status_code == 401
    assert r["HX-Redirect"].startswith("/account/2fa/setup")


@pytest.mark.parametrize("path", ["/healthz", "/webhooks/meta?hub.mode=x", "/api/v1/openapi.json"])
def test_machine_endpoints_are_exempt(officer_client, path):
    assert officer_client.get(path).status_code != 302


def test_setup_with_code_then_pages_open(officer_client, officer):
    page = officer_client.get("/account/2fa/setup?next=/inbox/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert (
        officer_client.post("/account/2fa/setup", {"code": "000000", "next": "/inbox/"}).status_code
        == 200
    )
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    r = officer_client.post("/account/2fa/setup", {"code": code_for(device), "next": "/inbox/"})
    assert b"recovery" in r.content.lower()
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert officer_client.get("/inbox/").status_code == 200


def test_next_login_asks_to_verify_and_recovery_code_works_once(client, officer):
    device = two_factor.totp_pending(officer)
    codes = two_factor.totp_confirm(user=officer, device=device, code=code_for(device))
    client.force_login(officer)
    r = client.get("/inbox/")
    assert r["Location"].startswith("/account/2fa/verify")
    assert (
        client.post("/account/2fa/verify", {"code": "nope", "next": "/inbox/"}).status_code == 200
    )
    r = client.post("/account/2fa/verify", {"code": codes[0], "next": "/inbox/"})
    assert r.status_code == 302 and r["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200
    client.logout()
    client.force_login(officer)
    r = client.post("/account/2fa/verify", {"code": codes[0], "next": "/inbox/"})
    assert r.status_code == 200  # used up


def test_totp_code_cannot_be_replayed(client, officer):
    device = two_factor.totp_pending(officer)
    code = code_for(device)
    two_factor.totp_confirm(user=officer, device=device, code=code)
    client.force_login(officer)
    assert client.post("/account/2fa/verify", {"code": code, "next": "/inbox/"}).status_code == 200


def test_verify_refuses_open_redirect(client, officer):
    device = two_factor.totp_pending(officer)
    codes = two_factor.totp_confirm(user=officer, device=device, code=code_for(device))
    client.force_login(officer)
    r = client.post("/account/2fa/verify", {"code": codes[1], "next": "https://evil.example/"})
    assert r["Location"] == "/"

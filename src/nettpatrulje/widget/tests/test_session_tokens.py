"""Visitor tokens: issued without an account, renewed, and refused when forged,
expired, or made for another channel."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from nettpatrulje.channels.models import Channel
from nettpatrulje.widget import services

pytestmark = pytest.mark.django_db


def test_session_issues_a_signed_token_and_the_agency_facts(widget_api, widget_channel, agency):
    response = widget_api.session()
    assert response.status_code == 201
    data = response.json()
    payload = signing.TimestampSigner(salt=services.TOKEN_SALT).unsign_object(data["token"])
    assert payload["c"] == widget_channel.pk
    assert payload["v"].startswith("v_") and len(payload["v"]) > 20
    assert data["emergency_number"] == "112"
    assert data["agency"]["timezone"] == agency.timezone
    assert data["agency"]["opening_hours"] == agency.opening_hours
    assert data["agency"]["open_now"] is True  # the test agency is open around the clock
    assert data["max_length"] == 2000
    assert data["returning"] is False


def test_token_names_the_channel_and_a_fresh_visitor(widget_api, widget_channel):
    first = widget_api.session().json()["token"]
    widget_api.token = ""
    second = widget_api.session().json()["token"]
    v1 = services.token_verify(first, channel=widget_channel)
    v2 = services.token_verify(second, channel=widget_channel)
    assert v1.channel_id == widget_channel.pk
    assert v1.visitor_id != v2.visitor_id


def test_a_returning_visitor_keeps_their_id(widget_api, widget_channel):
    widget_api.session()
    before = services.token_verify(widget_api.token, channel=widget_channel)
    response = widget_api.session()  # sends the stored token
    assert response.status_code == 200
    assert response.json()["returning"] is True
    after = services.token_verify(widget_api.token, channel=widget_channel)
    assert after.visitor_id == before.visitor_id


def test_forged_token_is_refused(visitor, widget_channel):
    forged = signing.TimestampSigner(key="not-our-secret", salt=services.TOKEN_SALT).sign_object(
        {"v": "v_someone_else", "c": widget_channel.pk}
    )
    assert visitor.messages(token=forged).status_code == 401
    tampered = visitor.token[:-3] + ("abc" if not visitor.token.endswith("abc") else "xyz")
    assert visitor.messages(token=tampered).status_code == 401
    assert visitor.messages(token="garbage").status_code == 401
    response = visitor.send("hei", "client-0001", token="garbage")
    assert response.status_code == 401
    assert response.json()["error"] == "bad_token"


def test_missing_token_is_refused(widget_api):
    assert widget_api.messages().status_code == 401


def test_expired_token_is_refused(widget_api, widget_channel, monkeypatch, settings):
    settings.WIDGET_TOKEN_MAX_AGE = 3600
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real() - 3601)
        old, _ = services.token_issue(channel=widget_channel)
    response = widget_api.messages(token=old)
    assert response.status_code == 401
    assert "expired" in response.json()["message"]
    # A new session with the expired token starts afresh instead of failing.
    assert widget_api.session(token=old).status_code == 201


def test_token_of_another_channel_is_refused(widget_api, widget_channel, agency):
    from nettpatrulje.channels.models import Platform
    from nettpatrulje.testing.factories import ChannelFactory

    other = ChannelFactory(agency=agency, platform=Platform.WIDGET, account_id="wk_other")
    token, _ = services.token_issue(channel=other)
    assert widget_api.messages(token=token).status_code == 401


def test_unknown_key_is_404(client):
    response = client.post(
        "/widget/api/session?key=wk_nope", data="{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert (
        client.post("/widget/api/session", data="{}", content_type="application/json").status_code
        == 404
    )


def test_disabled_channel_is_403(widget_api, widget_channel):
    widget_api.session()
    Channel.objects.filter(pk=widget_channel.pk).update(status=Channel.Status.DISABLED)
    response = widget_api.session()
    assert response.status_code == 403
    assert response.json()["error"] == "disabled"
    assert widget_api.messages().status_code == 403
    assert widget_api.send("hei", "client-0001").status_code == 403

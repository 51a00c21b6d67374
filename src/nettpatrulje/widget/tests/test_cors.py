"""Only the channel's configured origins (and the app's own) may call the API."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.models import Channel
from nettpatrulje.widget.services import normalise_origin
from nettpatrulje.widget.tests.conftest import KEY, SITE, WidgetApi

pytestmark = pytest.mark.django_db


def preflight(client, path: str, origin: str):
    return client.options(
        f"/widget/api/{path}?key={KEY}",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


@pytest.mark.parametrize("path", ["session", "messages"])
def test_preflight_from_configured_origin(client, widget_channel, path):
    response = preflight(client, path, SITE)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", ["session", "messages"])
def test_preflight_from_other_origin_is_refused(client, widget_channel, path):
    response = preflight(client, path, "https://evil.example")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_actual_request_from_other_origin_is_refused_and_unreadable(client, widget_channel):
    response = WidgetApi(client, origin="https://evil.example").session()
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_allowed_request_echoes_the_origin_without_credentials(widget_api):
    response = widget_api.session()
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies


def test_the_apps_own_origin_is_allowed(client, widget_channel):
    assert WidgetApi(client, origin="http://testserver").session().status_code == 201


def test_requests_without_origin_are_not_browser_cors(client, widget_channel):
    response = WidgetApi(client, origin=None).session()
    assert response.status_code == 201
    assert "Access-Control-Allow-Origin" not in response


def test_origins_as_one_string_from_the_command_line(client, widget_channel):
    Channel.objects.filter(pk=widget_channel.pk).update(
        config={"origins": "https://a.example, https://B.example:443"}
    )
    assert WidgetApi(client, origin="https://b.example").session().status_code == 201
    assert WidgetApi(client, origin=SITE).session().status_code == 403


def test_origin_normalisation():
    assert normalise_origin("HTTPS://Www.Politiet.no:443/") == "https://www.politiet.no"
    assert normalise_origin("http://localhost:8000") == "http://localhost:8000"
    assert normalise_origin("null") == ""
    assert normalise_origin("javascript:alert(1)") == ""
    assert normalise_origin("https://x.example:99999") == ""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

SITE = "https://www.politiet.example"
KEY = "wk_test_kripos"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def widget_channel(agency):
    from nettpatrulje.channels.models import Platform
    from nettpatrulje.testing.factories import ChannelFactory

    return ChannelFactory(
        agency=agency,
        platform=Platform.WIDGET,
        account_id=KEY,
        name="politiet.example",
        access_token="",
        config={"origins": [SITE]},
    )


class WidgetApi:
    """The calls widget.js makes, through Django's test client."""

    def __init__(self, client, key: str = KEY, origin: str | None = SITE) -> None:
        self.client = client
        self.key = key
        self.origin = origin
        self.token = ""

    def headers(self, token: str | None = None) -> dict[str, str]:
        headers = {}
        if self.origin:
            headers["Origin"] = self.origin
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def session(self, **kwargs):
        response = self.client.post(
            f"/widget/api/session?key={self.key}",
            data="{}",
            content_type="application/json",
            headers=self.headers(kwargs.pop("token", None)),
            **kwargs,
        )
        if response.status_code in (200, 201):
            self.token = response.json()["token"]
        return response

    def send(
        self, text: str, client_id: str, *, token: str | None = None, raw: bytes | None = None
    ):
        body = raw if raw is not None else json.dumps({"client_id": client_id, "text": text})
        return self.client.post(
            f"/widget/api/messages?key={self.key}",
            data=body,
            content_type="application/json",
            headers=self.headers(token),
        )

    def messages(self, after: str | None = None, *, token: str | None = None):
        url = f"/widget/api/messages?key={self.key}"
        if after:
            url += f"&after={after}"
        return self.client.get(url, headers=self.headers(token))


@pytest.fixture
def widget_api(client, widget_channel):
    return WidgetApi(client)


@pytest.fixture
def visitor(widget_api):
    assert widget_api.session().status_code == 201
    return widget_api

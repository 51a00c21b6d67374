"""Too many messages from one visitor, or new sessions from one address: 429."""

from __future__ import annotations

import pytest

from nettpatrulje.inbox.models import Message
from nettpatrulje.widget.tests.conftest import WidgetApi

pytestmark = pytest.mark.django_db


def test_visitor_message_rate_limit(visitor, widget_channel, settings):
    settings.WIDGET_MESSAGE_RATE = (3, 60)
    for i in range(3):
        assert visitor.send(f"melding {i}", f"rate-client-{i:04d}").status_code == 202
    response = visitor.send("en for mye", "rate-client-9999")
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 120  # a sliding window: up to two
    assert body["retry_after"] == int(response["Retry-After"])
    # The script can read the error and the header across origins.
    assert response["Access-Control-Allow-Origin"] == visitor.origin
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
    assert Message.objects.filter(channel=widget_channel).count() == 3


def test_limit_is_per_visitor(client, widget_channel, settings):
    settings.WIDGET_MESSAGE_RATE = (1, 60)
    a, b = WidgetApi(client), WidgetApi(client)
    a.session()
    b.session()
    assert a.send("a1", "visitor-a-0001").status_code == 202
    assert a.send("a2", "visitor-a-0002").status_code == 429
    assert b.send("b1", "visitor-b-0001").status_code == 202


def test_new_sessions_per_address_are_limited_but_renewals_are_not(
    client, widget_channel, settings
):
    settings.WIDGET_SESSION_RATE = (2, 600)
    first = WidgetApi(client)
    assert first.session().status_code == 201
    assert WidgetApi(client).session().status_code == 201
    refused = WidgetApi(client).session()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # A returning visitor (valid token) is never locked out by the school's NAT.
    assert first.session().status_code == 200


def test_polling_has_a_generous_limit(visitor, settings):
    settings.WIDGET_POLL_RATE = (2, 60)
    assert visitor.messages().status_code == 200
    assert visitor.messages().status_code == 200
    assert visitor.messages().status_code == 429

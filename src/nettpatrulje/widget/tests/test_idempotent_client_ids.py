"""The script retries with the same client id; the inbox keeps one message."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message

pytestmark = pytest.mark.django_db


def test_retry_with_same_client_id_is_one_message(visitor, widget_channel):
    for _ in range(3):
        response = visitor.send("Er dette svindel?", "retry-me-00000001")
        assert response.status_code == 202
        assert response.json()["client_id"] == "retry-me-00000001"
    assert Message.objects.filter(channel=widget_channel).count() == 1
    statuses = list(
        WebhookEvent.objects.filter(source="widget").order_by("pk").values_list("status", flat=True)
    )
    assert statuses == ["processed"]  # retries are recognised at the door
    assert len(visitor.messages().json()["messages"]) == 1


def test_new_client_id_is_a_new_message(visitor, widget_channel):
    visitor.send("Samme tekst", "client-id-000001")
    visitor.send("Samme tekst", "client-id-000002")
    assert Message.objects.filter(channel=widget_channel).count() == 2

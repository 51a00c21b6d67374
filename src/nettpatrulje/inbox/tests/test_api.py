from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from nettpatrulje.accounts.services import api_token_create, api_token_revoke
from nettpatrulje.inbox.models import Conversation
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(officer):
    return api_token_create(user=officer, name="test")[1]


def auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def conversation(channel):
    c = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    MessageFactory(
        conversation=c, text="mitt nummer er 41234567", redacted_text="mitt nummer er [PHONE]"
    )
    return c


def test_openapi_schema(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/conversations" in paths
    assert "/api/v1/conversations/{conversation_id}/reply" in paths


def test_requires_token(client, conversation):
    assert client.get("/api/v1/conversations").status_code == 401
    assert client.get("/api/v1/conversations", **auth("np_wrong")).status_code == 401


def test_revoked_and_expired_tokens_refused(client, officer, conversation):
    token_obj, raw = api_token_create(user=officer, name="t")
    api_token_revoke(token=token_obj)
    assert client.get("/api/v1/conversations", **auth(raw)).status_code == 401
    _, raw2 = api_token_create(
        user=officer, name="t2", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/api/v1/conversations", **auth(raw2)).status_code == 401


def test_token_stored_hashed(officer):
    token_obj, raw = api_token_create(user=officer, name="t")
    assert raw not in token_obj.token_hash
    assert token_obj.prefix == raw[:10]


def test_list_and_read_scoped(client, token, conversation):
    other_agency = AgencyFactory(slug="poliisi", country="FI")
    other_channel = ChannelFactory(agency=other_agency)
    foreign = ConversationFactory(
        channel=other_channel,
        agency=other_agency,
        contact__channel=other_channel,
        contact__agency=other_agency,
    )
    r = client.get("/api/v1/conversations", **auth(token))
    assert r.status_code == 200
    ids = {c["id"] for c in r.json()}
    assert ids == {str(conversation.pk)}
    assert client.get(f"/api/v1/conversations/{foreign.pk}", **auth(token)).status_code == 404
    assert (
        client.get(f"/api/v1/conversations/{foreign.pk}/messages", **auth(token)).status_code == 404
    )


def test_messages_are_redacted(client, token, conversation):
    r = client.get(f"/api/v1/conversations/{conversation.pk}/messages", **auth(token))
    assert r.status_code == 200
    assert r.json()[0]["text"] == "mitt nummer er [PHONE]"


def test_reply_via_api(client, token, conversation, fake_graph):
    r = client.post(
        f"/api/v1/conversations/{conversation.pk}/reply",
        data={"text": "Hei!"},
        content_type="application/json",
        **auth(token),
    )
    assert r.status_code == 201, r.content
    assert r.json()["delivery"] in {"queued", "sent"}
    assert len(fake_graph.state.sent) == 1


def test_reply_blocked_outside_window_is_409(client, token, conversation):
    Conversation.objects.filter(pk=conversation.pk).update(
        last_inbound_at=timezone.now() - timedelta(days=9)
    )
    r = client.post(
        f"/api/v1/conversations/{conversation.pk}/reply",
        data={"text": "Hei!"},
        content_type="application/json",
        **auth(token),
    )
    assert r.status_code == 409


def test_patch_status_and_assignee(client, token, conversation, officer):
    r = client.patch(
        f"/api/v1/conversations/{conversation.pk}",
        data={"status": "closed", "assignee": "ola"},
        content_type="application/json",
        **auth(token),
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed"
    assert r.json()["assignee"] == "ola"


def test_officer_cannot_assign_to_colleague(client, token, conversation, agency):
    UserFactory(username="kari", agency=agency)
    r = client.patch(
        f"/api/v1/conversations/{conversation.pk}",
        data={"assignee": "kari"},
        content_type="application/json",
        **auth(token),
    )
    assert r.status_code == 403


def test_analyst_cannot_reply(client, conversation, agency):
    analyst = UserFactory(username="ana", agency=agency, roles=["analyst"])
    raw = api_token_create(user=analyst, name="t")[1]
    r = client.post(
        f"/api/v1/conversations/{conversation.pk}/reply",
        data={"text": "Hei!"},
        content_type="application/json",
        **auth(raw),
    )
    assert r.status_code == 403


def test_malformed_json_is_400_not_500(client, token, conversation):
    r = client.post(
        f"/api/v1/conversations/{conversation.pk}/reply",
        data="{not json",
        content_type="application/json",
        **auth(token),
    )
    assert r.status_code in (400, 422)


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_text_no_database_can_hold_is_422_not_500(client, token, conversation, bad):
    url = f"/api/v1/conversations/{conversation.pk}"
    body = json.dumps({"text": f"hei {bad}"})  # escaped, as valid JSON allows
    r = client.post(f"{url}/reply", data=body, content_type="application/json", **auth(token))
    assert r.status_code == 422
    body = json.dumps({"assignee": f"ola{bad}"})
    r = client.patch(url, data=body, content_type="application/json", **auth(token))
    assert r.status_code == 422

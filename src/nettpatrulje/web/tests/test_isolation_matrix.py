"""Every URL and every API operation, tried by a user of another agency holding
every role: the answer is 403 or 404 (or their own, empty view), never agency
A's data, and nothing of A's changes. A URL that is not listed here fails the
suite, so a new endpoint cannot skip this check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from nettpatrulje.accounts.models import Role
from nettpatrulje.accounts.services import api_token_create
from nettpatrulje.audit.retention import legal_hold_place
from nettpatrulje.inbox.models import Conversation, OutboxItem
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "A-SECRET-7731"
ALL_ROLES = [r.value for r in Role]

# Endpoints for machines or before login: their own tests cover them.
PUBLIC = {
    "login",
    "demo-login",  # demo mode only, before login: see test_demo_home
    "logout",
    "healthz",
    "metrics",  # address- or token-protected, content-free: see test_metrics
    "set-language",
    "two-factor-setup",
    "two-factor-verify",
    "webhook-meta",
    "webhook-twitch",
    "webhook-discord",
    "bench-raw-insert",  # only with NETTPATRULJE_BENCH_ENDPOINTS: see channels/bench_views
    "api:openapi-json",
    "api:api-root",
}
# Pages of global, content-free data (unrouted events name no agency; see events_list).
GLOBAL = {"events", "event-retry"}


@dataclass
class World:
    a_user: object
    intruder: object
    ids: dict


def _walk(patterns, ns=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, p.namespace or ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:" if ns else "") + p.name, p


@pytest.fixture
def world(fake_graph):
    from nettpatrulje.library.services import article_create
    from nettpatrulje.patrols.models import PatrolSession
    from nettpatrulje.patrols.services import (
        guidance_ask,
        incident_create,
        operation_create,
        referral_send,
        session_start,
    )
    from nettpatrulje.triage.models import EmergencyAlert

    a = AgencyFactory(slug="kripos", country="NO")
    b = AgencyFactory(slug="poliisi", country="FI", timezone="Europe/Helsinki")
    c = AgencyFactory(slug="politie", country="NL")
    a_user = UserFactory(username="a_all", agency=a, roles=ALL_ROLES)
    intruder = UserFactory(username="intruder", agency=b, roles=ALL_ROLES)
    channel = ChannelFactory(agency=a, account_id="A-PAGE")
    conversation = ConversationFactory(
        channel=channel,
        agency=a,
        contact__channel=channel,
        contact__agency=a,
        contact__display_name=f"{SECRET}-contact",
    )
    message = MessageFactory(
        conversation=conversation, text=f"{SECRET} message", redacted_text=f"{SECRET} message"
    )
    reply = MessageFactory(
        conversation=conversation, direction="out", text=f"{SECRET} reply", platform_message_id=None
    )
    outbox = OutboxItem.objects.create(
        agency=a, message=reply, channel=channel, recipient_id="x", state="check"
    )
    alert = EmergencyAlert.objects.create(agency=a, conversation=conversation, message=message)
    hold = legal_hold_place(conversation=conversation, user=a_user, reason=f"{SECRET} hold")
    token, _ = api_token_create(user=a_user, name=f"{SECRET} token")
    today = timezone.localdate()
    operation = operation_create(
        actor=a_user,
        name=f"{SECRET} op",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        participants=[a],
        platforms=["roblox"],
    )
    session = session_start(
        actor=a_user, platform="roblox", game=f"{SECRET} game", location="", slot=None
    )
    incident = incident_create(
        actor=a_user, session=session, description=f"{SECRET} incident", open_case=False
    )
    guidance = guidance_ask(
        actor=a_user, question=f"{SECRET} question", session=session, operation=operation
    )
    referral = referral_send(
        actor=a_user,
        to_agency=c,
        reason=f"{SECRET} reason",
        shared_text=f"{SECRET} shared",
        conversation=conversation,
    )
    article = article_create(
        actor=a_user, slug="a-article", language="nb", title=f"{SECRET} article", body="x"
    )
    assert PatrolSession.objects.filter(pk=session.pk).exists()
    ids = {
        "conversation_id": conversation.pk,
        "message_id": message.pk,
        "outbox_id": outbox.pk,
        "alert_id": alert.pk,
        "hold_id": hold.pk,
        "token_id": token.pk,
        "channel_id": channel.pk,
        "operation_id": operation.pk,
        "session_id": session.pk,
        "incident_id": incident.pk,
        "request_id": guidance.pk,
        "referral_id": referral.pk,
        "article_id": article.pk,
        "event_id": 1,
    }
    return World(a_user=a_user, intruder=intruder, ids=ids)


def _url(name: str, pattern: URLPattern, ids: dict) -> str:
    kwargs = {k: ids[k] for k in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def _routes():
    return [
        (name, p)
        for name, p in _walk(get_resolver().url_patterns)
        if not name.startswith("api:") or name in PUBLIC
    ]


def test_every_route_is_classified(world):
    unknown = [
        name
        for name, p in _routes()
        if name not in PUBLIC
        and name not in GLOBAL
        and not set(p.pattern.converters) <= set(world.ids)
    ]
    assert unknown == [], f"add these URLs' objects to the isolation matrix: {unknown}"


def _snapshot():
    c = Conversation.objects.get(contact__display_name=f"{SECRET}-contact")
    return (
        c.status,
        c.assignee_id,
        c.priority,
        c.notes.count(),
        c.messages.count(),
        OutboxItem.objects.get(state__in=["check", "queued", "sent"]).state,
    )


def test_intruder_with_every_role_gets_nothing(client, world):
    client.force_login(world.intruder)
    before = _snapshot()
    checked = 0
    for name, pattern in _routes():
        if name in PUBLIC or name in GLOBAL:
            continue
        url = _url(name, pattern, world.ids)
        has_object = bool(pattern.pattern.converters)
        for method in ("get", "post"):
            response = getattr(client, method)(
                url,
                {
                    "text": "x",
                    "reason": "x",
                    "status": "closed",
                    "code": "000000",
                    "delivered": "1",
                },
            )
            status = response.status_code
            assert status < 500, (name, method, status)
            body = (
                response.content if not response.streaming else b"".join(response.streaming_content)
            )
            assert SECRET.encode() not in body, (name, method, status)
            if has_object:
                assert status in (403, 404, 405), (name, method, status)
            checked += 1
    assert _snapshot() == before
    assert checked > 80


def test_owner_reaches_every_object_page(client, world):
    """The same URLs do work for agency A: the intruder's 404s are real refusals."""
    client.force_login(world.a_user)
    for name, pattern in _routes():
        if name in PUBLIC or name in GLOBAL or not pattern.pattern.converters:
            continue
        response = client.get(_url(name, pattern, world.ids))
        assert response.status_code in (200, 302, 405), (name, response.status_code)


def test_api_operations_are_scoped(client, world):
    _, raw = api_token_create(user=world.intruder, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    cid = world.ids["conversation_id"]
    listing = client.get("/api/v1/conversations", **auth)
    assert listing.status_code == 200 and SECRET.encode() not in listing.content
    for method, path, data in [
        ("get", f"/api/v1/conversations/{cid}", None),
        ("get", f"/api/v1/conversations/{cid}/messages", None),
        ("post", f"/api/v1/conversations/{cid}/reply", {"text": "x"}),
        ("patch", f"/api/v1/conversations/{cid}", {"status": "closed"}),
    ]:
        response = getattr(client, method)(path, data=data, content_type="application/json", **auth)
        assert response.status_code == 404, (method, path, response.status_code)
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert paths == {
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/conversations/{conversation_id}/reply",
    }, "a new API operation must be added to this test"


def test_object_ids_of_case_data_are_not_guessable(world):
    import uuid

    for key in ("conversation_id", "message_id", "outbox_id"):
        assert isinstance(world.ids[key], uuid.UUID)

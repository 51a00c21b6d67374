from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from nettpatrulje.accounts.models import Agency, User
from nettpatrulje.channels.models import Channel
from nettpatrulje.inbox.models import Message
from nettpatrulje.testing.meta import envelope, signed_post, text_event
from nettpatrulje.web.maintenance import run_maintenance

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_healthz_reports_database_and_worker(client):
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert body["worker"] == "never seen"
    run_maintenance("w-test")
    body = client.get("/healthz").json()
    assert body["worker"] == "ok"
    assert body["worker_heartbeat_age_seconds"] < 5


def test_agencies_and_channels_commands():
    run(
        "agencies",
        "add",
        "poliisi",
        "--name",
        "Poliisi",
        "--country",
        "fi",
        "--timezone",
        "Europe/Helsinki",
    )
    agency = Agency.objects.get(slug="poliisi")
    assert agency.country == "FI" and agency.timezone == "Europe/Helsinki"
    run(
        "channels",
        "add",
        "--agency",
        "poliisi",
        "--platform",
        "instagram",
        "--account-id",
        "IG9",
        "--token",
        "tok",
    )
    rows = json.loads(run("channels", "list", "--json"))
    assert rows == [
        {
            **rows[0],
            "agency": "poliisi",
            "platform": "instagram",
            "account_id": "IG9",
            "has_token": True,
        }
    ]
    assert Channel.objects.get().access_token == "tok"


def test_agencies_add_rejects_bad_timezone():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("agencies", "add", "x", "--name", "X", "--country", "NO", "--timezone", "Mars/Olympus")


def test_stats_json(client, channel):
    payload = envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m1"))
    signed_post(client, payload)
    signed_post(client, payload)
    signed_post(client, envelope("NOPE", text_event("U1", "NOPE", "hei")))
    stats = json.loads(run("stats", "--json"))
    assert stats["events"]["received"] == 3
    assert stats["events"]["duplicates"] == 1
    assert stats["events"]["unrouted"] == 1
    assert stats["messages"] == {"inbound": 1, "outbound": 0}
    assert stats["conversations"] == 1
    assert set(stats["outbox"]) >= {"queued", "sent", "failed"}


def test_demo_seed_is_idempotent():
    run("demo", "--seed-only")
    counts = (
        Agency.objects.count(),
        User.objects.count(),
        Channel.objects.count(),
        Message.objects.count(),
    )
    assert counts[0] == 5 and counts[3] > 10
    run("demo", "--seed-only")
    assert counts == (
        Agency.objects.count(),
        User.objects.count(),
        Channel.objects.count(),
        Message.objects.count(),
    )


def test_unrouted_events_page_for_admin(client, agency):
    from nettpatrulje.testing.factories import UserFactory

    signed_post(client, envelope("NOPE", text_event("U1", "NOPE", "secret text")))
    admin = UserFactory(agency=agency, roles=["admin"])
    client.force_login(admin)
    html = client.get("/admin/events/").content.decode()
    assert "NOPE" in html
    assert "secret text" not in html

"""/metrics: Prometheus text exposition computed from the database, for the
monitoring system only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import OutboxItem
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory
from nettpatrulje.web.metrics import server_error_count
from nettpatrulje.web.middleware import ServerErrorCountMiddleware
from nettpatrulje.web.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    r = client.get("/metrics", **extra)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(r.content.decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def _event(source, status, channel=None, age=timedelta(0)):
    return WebhookEvent.objects.create(
        source=source,
        status=status,
        channel=channel,
        body=b"{}",
        received_at=timezone.now() - age,
    )


def test_empty_installation_parses(client):
    samples = _scrape(client)
    assert samples[("nettpatrulje_webhook_processing_lag_seconds", ())] == 0
    assert samples[("nettpatrulje_outbox_items", (("state", "queued"),))] == 0
    assert samples[("nettpatrulje_task_queue_depth", (("queue", "default"),))] == 0
    assert samples[("nettpatrulje_workers_alive", ())] == 0


def test_events_counted_by_source_platform_and_state(client, channel):
    for _ in range(3):
        _event("meta", "processed", channel)
    _event("meta", "duplicate", channel)
    _event("discord", "failed")
    _event("meta", "pending", age=timedelta(minutes=5))
    _event("meta", "pending", age=timedelta(minutes=1))
    _event("meta", "unrouted")
    samples = _scrape(client)
    received = "nettpatrulje_webhook_events_received_total"
    assert samples[(received, (("platform", "messenger"), ("source", "meta")))] == 4
    assert samples[(received, (("platform", ""), ("source", "meta")))] == 3
    assert samples[(received, (("platform", ""), ("source", "discord")))] == 1
    assert samples[("nettpatrulje_webhook_events", (("status", "pending"),))] == 2
    assert samples[("nettpatrulje_webhook_events", (("status", "failed"),))] == 1
    assert samples[("nettpatrulje_webhook_events", (("status", "unrouted"),))] == 1
    lag = samples[("nettpatrulje_webhook_processing_lag_seconds", ())]
    assert 299 <= lag < 3600


def test_outbox_by_state(client, channel):
    conv = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    states = ["queued", "queued", "sending", "sent", "sent", "sent", "failed", "check"]
    for state in states:
        reply = MessageFactory(conversation=conv, direction="out", platform_message_id=None)
        OutboxItem.objects.create(
            agency=channel.agency, message=reply, channel=channel, recipient_id="x", state=state
        )
    samples = _scrape(client)
    for state in OutboxItem.State.values:
        key = ("nettpatrulje_outbox_items", (("state", state),))
        assert samples[key] == states.count(state)


def test_triage_latency_from_messages(client, channel):
    conv = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    now = timezone.now()
    for seconds in [1, 2, 3, 4, 100]:
        MessageFactory(conversation=conv, sent_at=now - timedelta(seconds=seconds), triaged_at=now)
    # Outside the window, and outbound: not in the sample.
    MessageFactory(
        conversation=conv, sent_at=now - timedelta(hours=3), triaged_at=now - timedelta(hours=2)
    )
    MessageFactory(
        conversation=conv, direction="out", sent_at=now - timedelta(seconds=50), triaged_at=now
    )
    samples = _scrape(client)
    latency = "nettpatrulje_triage_latency_seconds"
    assert samples[("nettpatrulje_triage_window_messages", ())] == 5
    assert samples[(latency, (("quantile", "0.5"),))] == pytest.approx(3, abs=0.01)
    assert samples[(latency, (("quantile", "0.95"),))] == pytest.approx(100, abs=0.01)
    assert samples[(latency, (("quantile", "1"),))] == pytest.approx(100, abs=0.01)


def test_task_queue(client):
    from django_tasks_db.models import DBTaskResult

    def task(status, queue="default", age=timedelta(0)):
        row = DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="nettpatrulje.channels.tasks.process_webhook_event",
            backend_name="default",
            queue_name=queue,
            run_after=timezone.now(),
            exception_class_path="",
            traceback="",
        )
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - age)

    task("READY", age=timedelta(minutes=2))
    task("READY")
    task("READY", queue="outbox")
    task("RUNNING")
    task("FAILED")
    task("FAILED")
    task("SUCCESSFUL")
    samples = _scrape(client)
    assert samples[("nettpatrulje_task_queue_depth", (("queue", "default"),))] == 2
    assert samples[("nettpatrulje_task_queue_depth", (("queue", "outbox"),))] == 1
    assert samples[("nettpatrulje_task_queue_oldest_age_seconds", ())] >= 119
    assert samples[("nettpatrulje_tasks", (("status", "running"),))] == 1
    assert samples[("nettpatrulje_tasks", (("status", "failed"),))] == 2


def test_worker_heartbeat(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="a", seen_at=now - timedelta(seconds=20))
    WorkerHeartbeat.objects.create(worker_id="b", seen_at=now - timedelta(minutes=10))
    samples = _scrape(client)
    assert 20 <= samples[("nettpatrulje_worker_heartbeat_age_seconds", ())] < 600
    assert samples[("nettpatrulje_workers_alive", ())] == 1


def test_server_errors_counted_across_processes(client):
    middleware = ServerErrorCountMiddleware(lambda request: HttpResponse(status=500))
    request = RequestFactory().get("/")
    middleware(request)
    middleware(request)
    server_error_count(503)
    ServerErrorCountMiddleware(lambda request: HttpResponse(status=404))(request)
    samples = _scrape(client)
    assert samples[("nettpatrulje_http_server_errors_total", (("status", "500"),))] == 2
    assert samples[("nettpatrulje_http_server_errors_total", (("status", "503"),))] == 1
    assert ("nettpatrulje_http_server_errors_total", (("status", "404"),)) not in samples


def test_no_personal_data(client, channel):
    conv = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        contact__display_name="SECRET-NAME",
        contact__platform_id="SECRET-PSID",
    )
    MessageFactory(conversation=conv, text="SECRET-TEXT", triaged_at=timezone.now())
    _event("meta", "failed", channel).__class__.objects.update(error="SECRET-ERROR")
    body = client.get("/metrics").content.decode()
    assert "SECRET" not in body
    assert channel.account_id not in body


# --- Access -------------------------------------------------------------------


def test_refused_from_other_addresses(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_proxy_forwarded_address_is_the_client(client):
    # Behind the reverse proxy every request comes from loopback; X-Real-IP decides.
    r = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert r.status_code == 404


def test_configured_networks(client, settings):
    settings.METRICS_ALLOW = ["10.20.0.0/16", "2001:db8::/32", "not-a-network"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_ipv4_mapped_loopback(client):
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200


def test_bearer_token(client, settings):
    settings.METRICS_TOKEN = "scrape-token-123"
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123", **remote)
    assert ok.status_code == 200
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **remote)
    assert wrong.status_code == 404
    assert client.get("/metrics", **remote).status_code == 404


def test_token_unset_means_no_token_access(client, settings):
    settings.METRICS_TOKEN = ""
    r = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 404


def test_logged_in_user_is_not_enough(officer_client):
    assert officer_client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404

"""Recovery after crashes and transient database errors: what bench/chaos.py
found, pinned down one case at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from nettpatrulje.channels import services
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message
from nettpatrulje.reports.models import DirtyDay
from nettpatrulje.reports.rollups import marks_deferred
from nettpatrulje.testing.meta import encode, envelope, text_event
from nettpatrulje.web.maintenance import heartbeat, tasks_recover_orphaned

pytestmark = pytest.mark.django_db


def _event(**fields) -> WebhookEvent:
    body = encode(envelope("PAGE1", text_event("U1", "PAGE1", "hei", mid="m_r1")))
    return WebhookEvent.objects.create(source="meta", body=body, **fields)


def _running(worker_id: str, started_ago: timedelta) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="nettpatrulje.channels.tasks.process_webhook_event",
        backend_name="default",
        run_after=get_date_max(),
        started_at=timezone.now() - started_ago,
        worker_ids=[worker_id],
    )


def test_tasks_of_a_dead_worker_are_queued_again():
    heartbeat("w-alive")
    dead = _running("w-killed", timedelta(minutes=5))
    busy = _running("w-alive", timedelta(minutes=5))  # a long task of a live worker
    just_claimed = _running("w-new", timedelta(seconds=1))  # its heartbeat may not exist yet
    assert tasks_recover_orphaned() == 1
    statuses = {t.pk: t.status for t in DBTaskResult.objects.all()}
    assert statuses[dead.pk] == "READY"
    assert statuses[busy.pk] == "RUNNING"
    assert statuses[just_claimed.pk] == "RUNNING"
    assert tasks_recover_orphaned() == 0


def test_a_deadlock_leaves_the_event_pending_not_failed(channel, monkeypatch):
    event = _event()
    calls = []

    def deadlocked(*args, **kwargs):
        calls.append(1)
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(services, "_apply", deadlocked)
    monkeypatch.setattr(services.time, "sleep", lambda s: None)
    assert services.webhook_event_process(event.pk) is None
    event.refresh_from_db()
    assert event.status == "pending" and event.attempts == 1
    assert len(calls) == services.TRANSIENT_RETRIES
    monkeypatch.undo()
    assert services.webhook_event_process(event.pk) == "processed"
    assert Message.objects.filter(platform_message_id="m_r1").count() == 1


def test_a_transient_error_is_retried_within_the_task(channel, monkeypatch):
    event = _event()
    real = services._apply
    failures = [OperationalError("database is locked")]

    def flaky(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_apply", flaky)
    monkeypatch.setattr(services.time, "sleep", lambda s: None)
    assert services.webhook_event_process(event.pk) == "processed"


def test_an_event_that_never_finishes_is_given_up_for_an_admin(channel):
    lease_over = timezone.now() - timedelta(seconds=1)
    stuck = _event(attempts=services.MAX_ATTEMPTS, claimed_until=lease_over)
    # Its last worker may still be at it while the lease runs.
    last_try = _event(attempts=services.MAX_ATTEMPTS, claimed_until=lease_over + timedelta(hours=1))
    tried_less = _event(attempts=services.MAX_ATTEMPTS - 1, claimed_until=lease_over)
    assert services.webhook_events_give_up() == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert "gave up" in stuck.error
    assert WebhookEvent.objects.get(pk=last_try.pk).status == "pending"
    assert WebhookEvent.objects.get(pk=tried_less.pk).status == "pending"


def test_roll_up_marks_are_written_once_at_the_end(channel):
    from nettpatrulje.testing.factories import MessageFactory

    with marks_deferred():
        MessageFactory(channel=channel, agency=channel.agency)
        MessageFactory(channel=channel, agency=channel.agency)
        assert not DirtyDay.objects.exists()
    marks = set(DirtyDay.objects.values_list("agency", "source", "day"))
    assert {"messages", "conversations"} <= {source for _, source, _ in marks}
    assert DirtyDay.objects.count() == len(marks)  # one row per agency, source and day


def test_outbox_dispatch_skips_items_whose_send_is_already_queued(monkeypatch, fake_graph):
    from nettpatrulje.inbox import services as inbox
    from nettpatrulje.inbox.models import OutboxItem
    from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

    conversation = ConversationFactory()
    message = MessageFactory(
        conversation=conversation, channel=conversation.channel, agency=conversation.agency
    )
    item = OutboxItem.objects.create(
        agency=conversation.agency,
        message=message,
        channel=conversation.channel,
        recipient_id="U1",
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    monkeypatch.setattr(inbox, "_send_tasks_waiting", lambda: {str(item.pk)})
    assert inbox.outbox_dispatch_due() == 0
    monkeypatch.setattr(inbox, "_send_tasks_waiting", lambda: set())
    assert inbox.outbox_dispatch_due() == 1


def test_enqueue_writes_the_row_the_database_backend_writes(monkeypatch):
    from django_tasks.base import Task
    from django_tasks_db.backend import DatabaseBackend

    from nettpatrulje.channels.tasks import process_webhook_event
    from nettpatrulje.lib.tasks import enqueue

    backend = DatabaseBackend("default", {})
    monkeypatch.setattr(Task, "get_backend", lambda self: backend)
    process_webhook_event.enqueue(41)
    enqueue(process_webhook_event, 42)
    theirs, ours = DBTaskResult.objects.order_by("args_kwargs")
    fields = ["status", "priority", "task_path", "queue_name", "backend_name", "run_after"]
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert ours.args_kwargs == {"args": [42], "kwargs": {}}
    assert ours.task_result.args == [42]  # the worker can read it back


def test_the_benchmark_baseline_is_not_routed_in_production(client):
    # Only NETTPATRULJE_BENCH_ENDPOINTS=1 routes it (channels/urls.py).
    assert (
        client.post("/bench/raw-insert", data=b"{}", content_type="application/json").status_code
        == 404
    )

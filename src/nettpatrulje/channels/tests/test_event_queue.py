"""The event row is the queue: one INSERT to acknowledge, workers claim pending
events with a lease (channels.services.webhook_events_claim, web worker)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nettpatrulje.channels import services
from nettpatrulje.channels.models import WebhookEvent
from nettpatrulje.inbox.models import Message
from nettpatrulje.testing.meta import encode, envelope, signed_post, text_event
from nettpatrulje.web.management.commands.worker import EventWorker

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def _body(mid: str, text: str = "hei") -> bytes:
    return encode(envelope("PAGE1", text_event("U1", "PAGE1", text, mid=mid)))


def _worker(worker_id: str = "w-test") -> EventWorker:
    return EventWorker.serving_all_queues(worker_id=worker_id, event_batch=8, interval=0)


@pytest.mark.django_db
def test_a_delivery_is_acknowledged_with_one_insert_and_no_task(client, channel, database_queue):
    with CaptureQueriesContext(connection) as queries:
        response = signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "hei")))
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and "INSERT" in writes[0].upper()
    assert not DBTaskResult.objects.exists()
    event = WebhookEvent.objects.get()
    assert event.status == "pending" and event.attempts == 0
    assert Message.objects.count() == 0  # until a worker claims it


@pytest.mark.django_db
def test_the_worker_claims_oldest_first_and_applies_them(channel, database_queue):
    now = timezone.now()
    newer = WebhookEvent.objects.create(source="meta", body=_body("m2"), received_at=now)
    older = WebhookEvent.objects.create(
        source="meta", body=_body("m1"), received_at=now - timedelta(seconds=5)
    )
    assert services.webhook_events_claim(worker_id="w1", limit=1) == [older.pk]
    older.refresh_from_db()
    assert older.attempts == 1 and older.claimed_by == "w1"
    assert older.claimed_until > now
    # Leased: not claimed again while the lease runs.
    assert services.webhook_events_claim(worker_id="w2", limit=5) == [newer.pk]
    assert services.webhook_events_claim(worker_id="w3", limit=5) == []

    assert services.webhook_event_process(older.pk, claimed=True) == "processed"
    older.refresh_from_db()
    assert older.attempts == 1  # counted once, by the claim


@pytest.mark.django_db
def test_the_events_of_a_dead_worker_are_claimed_when_the_lease_runs_out(channel, database_queue):
    event = WebhookEvent.objects.create(source="meta", body=_body("m1"))
    assert services.webhook_events_claim(worker_id="w-killed") == [event.pk]
    # w-killed never finishes; its lease runs out.
    WebhookEvent.objects.filter(pk=event.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.webhook_events_claim(worker_id="w-next") == [event.pk]
    event.refresh_from_db()
    assert event.attempts == 2 and event.claimed_by == "w-next"


@pytest.mark.django_db
def test_an_event_tried_too_often_is_no_longer_claimed(channel, database_queue):
    WebhookEvent.objects.create(
        source="meta",
        body=_body("m1"),
        attempts=services.MAX_ATTEMPTS,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    assert services.webhook_events_claim(worker_id="w1") == []
    assert services.webhook_events_give_up() == 1
    assert WebhookEvent.objects.get().status == "failed"


@pytest.mark.django_db
def test_finished_events_are_not_claimed(channel, database_queue):
    WebhookEvent.objects.create(source="meta", body=_body("m1"), status="processed")
    WebhookEvent.objects.create(source="meta", body=_body("m2"), status="failed")
    assert services.webhook_events_claim(worker_id="w1") == []


@pytest.mark.django_db
def test_one_worker_round_applies_events_and_runs_a_task(channel, database_queue):
    from nettpatrulje.channels.tasks import process_webhook_event

    for i in range(3):
        WebhookEvent.objects.create(source="meta", body=_body(f"m{i}", f"melding {i}"))
    # A task row of an older version (one task per event) is still run.
    legacy = WebhookEvent.objects.create(source="meta", body=_body("m-legacy"))
    process_webhook_event.enqueue(legacy.pk)

    worker = _worker()
    assert worker.process_events() == 4
    assert Message.objects.count() == 4
    task = worker.claim_task()
    assert task is not None
    worker.run_task(task)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"  # the event was already applied: nothing to do
    assert Message.objects.count() == 4
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert worker.process_events() == 0 and worker.claim_task() is None


def _until(condition, timeout: float = 30.0) -> bool:
    """Wait for another thread's work, as long as it takes and no longer."""
    done = threading.Event()
    deadline = timezone.now() + timedelta(seconds=timeout)
    while not condition():
        if timezone.now() > deadline:
            return False
        done.wait(0.01)
    return True


@pytest.mark.django_db(transaction=True)
def test_a_send_waiting_on_the_platform_does_not_hold_back_incoming_messages(
    channel, database_queue, monkeypatch
):
    """A task runs in its own lane: while one hangs (Graph unreachable, up to the
    send timeout), the worker goes on storing and triaging what comes in."""
    from nettpatrulje.channels.tasks import process_webhook_event

    process_webhook_event.enqueue(10**9)  # any task: this one is made to hang
    release, started = threading.Event(), threading.Event()

    def hanging_task(self, task_result):
        self.running_task = True
        started.set()
        try:
            release.wait(60)
        finally:
            self.running_task = False

    monkeypatch.setattr(EventWorker, "run_task", hanging_task)
    worker = _worker()
    running = threading.Thread(target=worker.run)
    running.start()
    try:
        assert started.wait(30)
        for i in range(6):
            WebhookEvent.objects.create(source="meta", body=_body(f"lane-{i}", f"melding {i}"))
        assert _until(lambda: Message.objects.count() == 6)
        assert not release.is_set() and worker.running_task  # the task still hangs
        assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    finally:
        release.set()
        worker.running = False
        running.join(30)
    assert not running.is_alive()


@pytest.mark.django_db(transaction=True)
def test_the_task_lane_survives_an_error_and_runs_the_next_task(database_queue, monkeypatch):
    from nettpatrulje.channels.tasks import process_webhook_event

    process_webhook_event.enqueue(10**9)
    worker = _worker()
    worker.TASK_LANE_PAUSE = 0
    claims = []
    real_claim = EventWorker.claim_task

    def flaky_claim(self):
        claims.append(1)
        if len(claims) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(self)

    monkeypatch.setattr(EventWorker, "claim_task", flaky_claim)
    lane = threading.Thread(target=worker.run_tasks)
    lane.start()
    try:
        assert _until(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").exists())
    finally:
        worker.running = False
        lane.join(30)
    assert len(claims) >= 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_task_lane_died_stops_instead_of_running_half(monkeypatch):
    # The thread ends while the worker runs, whatever the reason.
    monkeypatch.setattr(EventWorker, "run_tasks", lambda self: None)
    worker = _worker()
    with pytest.raises(RuntimeError, match="task lane stopped"):
        worker.run()
    assert not worker.running


def test_a_stop_signal_waits_for_either_lane_in_the_middle_of_something():
    worker = _worker()
    assert not worker.running_task
    worker._events_busy = True
    assert worker.running_task
    worker._events_busy = False
    worker.running_task = True  # as Worker.run_task sets it
    assert worker.running_task and worker._task_busy


@pytest.mark.django_db
def test_a_worker_error_leaves_the_batch_pending(channel, database_queue, monkeypatch):
    WebhookEvent.objects.create(source="meta", body=_body("m1"))
    WebhookEvent.objects.create(source="meta", body=_body("m2"))

    def crash(event_ids):
        raise RuntimeError("worker bug")

    monkeypatch.setattr("nettpatrulje.web.management.commands.worker.webhook_events_process", crash)
    assert _worker().process_events() == 2
    assert Message.objects.count() == 0
    # Claimed again once the lease runs out.
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"pending"}
    assert set(WebhookEvent.objects.values_list("attempts", flat=True)) == {1}


def _claimed_batch(*bodies: bytes) -> list[int]:
    for body in bodies:
        WebhookEvent.objects.create(source="meta", body=body)
    return services.webhook_events_claim(worker_id="w1", limit=len(bodies))


def _mark_writes(queries) -> int:
    return sum(1 for q in queries if "INSERT INTO" in q["sql"] and "dirtyday" in q["sql"].lower())


@pytest.mark.django_db
def test_a_batch_is_one_transaction_with_one_write_of_the_marks(channel, database_queue):
    ids = _claimed_batch(*(_body(f"m{i}") for i in range(4)))
    with CaptureQueriesContext(connection) as queries:
        statuses = services.webhook_events_process(ids)
    assert statuses == dict.fromkeys(ids, "processed")
    assert Message.objects.count() == 4
    assert _mark_writes(queries) == 1
    # One at a time it would be one per event.
    more = _claimed_batch(_body("m5"), _body("m6"))
    with CaptureQueriesContext(connection) as queries:
        for event_id in more:
            services.webhook_event_process(event_id, claimed=True)
    assert _mark_writes(queries) == 2


@pytest.mark.django_db
def test_a_bad_event_in_a_batch_fails_alone(channel, database_queue, monkeypatch):
    ids = _claimed_batch(*(_body(f"m{i}") for i in range(4)))
    real = services._apply

    def bug_in_the_third(work):
        if work.event.pk == ids[2]:
            raise RuntimeError("bug")
        return real(work)

    monkeypatch.setattr(services, "_apply", bug_in_the_third)
    statuses = services.webhook_events_process(ids)
    assert statuses == {
        ids[0]: "processed",
        ids[1]: "processed",
        ids[2]: "failed",
        ids[3]: "processed",
    }
    # Rolled back with the batch, then stored once, one at a time.
    assert sorted(Message.objects.values_list("platform_message_id", flat=True)) == [
        "m0",
        "m1",
        "m3",
    ]
    assert "RuntimeError: bug" in WebhookEvent.objects.get(pk=ids[2]).error


@pytest.mark.django_db
def test_a_deadlocked_batch_is_applied_one_at_a_time(channel, database_queue, monkeypatch):
    ids = _claimed_batch(*(_body(f"m{i}") for i in range(3)))
    real = services._apply
    calls = []

    def deadlock_once(work):
        calls.append(work.event.pk)
        if len(calls) == 2:
            raise OperationalError("deadlock detected")
        return real(work)

    monkeypatch.setattr(services, "_apply", deadlock_once)
    assert services.webhook_events_process(ids) == dict.fromkeys(ids, "processed")
    assert calls == [ids[0], ids[1], *ids]
    assert Message.objects.count() == 3
    assert set(WebhookEvent.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_batch_keeps_each_conversation_in_order(channel, database_queue):
    """Sorted so that every worker locks conversations in one order, the batch
    still applies one contact's events in the order they came."""
    deleted = text_event("U9", "PAGE1", "", mid="m-late")
    deleted["message"] = {"mid": "m-late", "is_deleted": True}
    ids = _claimed_batch(
        encode(envelope("PAGE1", text_event("U9", "PAGE1", "first", mid="m-late"))),
        encode(envelope("PAGE1", text_event("U1", "PAGE1", "another contact", mid="m-other"))),
        encode(envelope("PAGE1", deleted)),
    )
    statuses = services.webhook_events_process(ids)
    assert statuses[ids[0]] == "processed" and statuses[ids[1]] == "processed"
    late = Message.objects.get(platform_message_id="m-late")
    assert late.deleted_at is not None  # the unsend came after the message
    assert Message.objects.get(platform_message_id="m-other").deleted_at is None


@pytest.mark.django_db
def test_events_no_longer_pending_are_left_alone(channel, database_queue):
    ids = _claimed_batch(_body("m1"), _body("m2"))
    WebhookEvent.objects.filter(pk=ids[0]).update(status="processed")
    assert services.webhook_events_process(ids) == {ids[0]: None, ids[1]: "processed"}
    assert list(Message.objects.values_list("platform_message_id", flat=True)) == ["m2"]


@pytest.mark.django_db
def test_a_retried_event_is_claimed_again(channel, database_queue):
    event = WebhookEvent.objects.create(
        source="meta", body=_body("m1"), status="failed", attempts=services.MAX_ATTEMPTS
    )
    services.webhook_event_retry(event=event)
    assert Message.objects.count() == 0
    assert services.webhook_events_claim(worker_id="w1") == [event.pk]


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_never_claim_the_same_event(channel, database_queue):
    WebhookEvent.objects.bulk_create(
        WebhookEvent(source="meta", body=_body(f"m{i}")) for i in range(60)
    )
    workers = 4
    barrier = threading.Barrier(workers)
    claims: list[list[int]] = [[] for _ in range(workers)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            while ids := services.webhook_events_claim(worker_id=f"w{n}", limit=3):
                claims[n].extend(ids)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    claimed = [pk for ids in claims for pk in ids]
    assert len(claimed) == len(set(claimed)) == 60
    assert set(WebhookEvent.objects.values_list("attempts", flat=True)) == {1}


def test_an_idle_worker_backs_off_but_wakes_soon():
    worker = _worker()
    worker.interval = 0.2
    waits = [worker.idle_wait(n) for n in range(8)]
    assert waits[0] == 0.01
    assert waits == sorted(waits) and waits[-1] == 0.2


@pytest.mark.django_db
def test_a_worker_beside_the_app_server_can_give_it_the_cpu_first(monkeypatch):
    from django.core.management import call_command

    from nettpatrulje.web.management.commands import worker as command

    niced: list[int] = []
    monkeypatch.setattr(command.os, "nice", niced.append)
    monkeypatch.setattr(command.gc, "freeze", lambda: None)
    monkeypatch.setattr(command.Command, "_housekeeping", staticmethod(lambda *a: None))
    monkeypatch.setattr(EventWorker, "configure_signals", lambda self: None)
    monkeypatch.setattr(EventWorker, "run", lambda self: None)
    call_command("worker", nice=10)
    call_command("worker")
    call_command("worker", nice=40)
    assert niced == [10, 19]

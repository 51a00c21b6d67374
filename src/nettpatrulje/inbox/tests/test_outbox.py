"""Replies: the outbox sends over real HTTP to a fake Graph API, retries,
never sends twice, and respects Meta's messaging windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nettpatrulje.channels.base import SendError
from nettpatrulje.channels.registry import sender_for as client_for
from nettpatrulje.inbox import services
from nettpatrulje.inbox.models import Message, OutboxItem
from nettpatrulje.testing.factories import ConversationFactory
from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(channel):
    return ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        contact__platform_id="PSID1",
        thread_key="PSID1",
        last_inbound_at=timezone.now() - timedelta(minutes=5),
    )


def _due(item: OutboxItem) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def test_reply_is_sent_once_through_the_send_api(fake_graph, conversation, officer):
    message = services.conversation_reply(
        conversation=conversation, author=officer, text="Hei! Takk for tipset."
    )
    item = OutboxItem.objects.get(message=message)
    assert item.state == "sent"
    assert len(fake_graph.state.sent) == 1
    sent = fake_graph.state.sent[0]
    assert sent["recipient"] == "PSID1"
    assert sent["message"]["text"] == "Hei! Takk for tipset."
    assert sent["message"]["metadata"] == f"nettpatrulje:outbox:{item.pk}"
    assert sent["messaging_type"] == "RESPONSE"
    assert sent["token"] == "page-token"
    message.refresh_from_db()
    assert message.platform_message_id.startswith("m_fake_")


def test_reply_and_outbox_are_written_together(conversation, officer, monkeypatch):
    from nettpatrulje.inbox import services as svc

    def boom(_):
        raise RuntimeError("enqueue failed")

    monkeypatch.setattr(svc, "_enqueue_send", boom)
    with pytest.raises(RuntimeError):
        svc.conversation_reply(conversation=conversation, author=officer, text="hei")
    assert Message.objects.filter(direction="out").count() == 0
    assert OutboxItem.objects.count() == 0


def test_server_error_is_retried_with_backoff_and_sent_once(fake_graph, conversation, officer):
    fake_graph.fail_next(500, count=2)
    message = services.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    assert item.state == "queued"
    assert item.attempts == 1
    assert "HTTP 500" in item.last_error
    assert item.next_attempt_at > timezone.now() + timedelta(seconds=3)
    # Not due yet: the dispatcher leaves it alone.
    assert services.outbox_dispatch_due() == 0
    _due(item)
    assert services.outbox_dispatch_due() == 1
    item.refresh_from_db()
    assert item.state == "queued" and item.attempts == 2
    _due(item)
    services.outbox_dispatch_due()
    item.refresh_from_db()
    assert item.state == "sent"
    assert len(fake_graph.state.sent) == 1


def test_backoff_grows_and_is_capped():
    delays = [services.backoff_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [5, 10, 20, 40]
    assert max(delays) == 600


def test_gives_up_after_max_attempts(fake_graph, conversation, officer):
    fake_graph.fail_next(503, count=services.MAX_ATTEMPTS + 2)
    message = services.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    for _ in range(services.MAX_ATTEMPTS):
        _due(item)
        services.outbox_send(item.pk)
    item.refresh_from_db()
    assert item.state == "failed"
    assert item.attempts == services.MAX_ATTEMPTS
    assert fake_graph.state.sent == []


def test_timeout_is_transient(conversation, officer, settings):
    import socket

    # A listening socket that never answers: the client times out.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    settings.META_GRAPH_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.META_SEND_TIMEOUT = 0.2
    try:
        message = services.conversation_reply(conversation=conversation, author=officer, text="hei")
    finally:
        sock.close()
    item = OutboxItem.objects.get(message=message)
    assert item.state == "queued"
    assert "timeout" in item.last_error


def test_token_error_marks_channel_and_keeps_receiving(
    client, fake_graph, conversation, officer, channel
):
    channel.access_token = "EXPIRED-token"
    channel.save()
    message = services.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    assert item.state == "failed"
    assert "190" in item.last_error
    channel.refresh_from_db()
    assert channel.needs_reconnect
    # Receiving goes on.
    signed_post(client, envelope("PAGE1", text_event("PSID1", "PAGE1", "hallo?")))
    assert Message.objects.filter(direction="in").count() == 1


def test_client_error_fails_without_retry(fake_graph, conversation, officer):
    fake_graph.fail_next(400, code=100)
    message = services.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    assert item.state == "failed"


def test_crash_after_send_before_commit_is_never_resent(
    fake_graph, conversation, officer, monkeypatch
):
    """The worker dies after Meta accepted the message but before recording it."""

    class CrashAfterSend:
        def __init__(self, channel):
            self.real = client_for(channel)

        def send_text(self, **kwargs):
            self.real.send_text(**kwargs)
            raise SystemExit("worker killed")

    from nettpatrulje.inbox import services as svc

    monkeypatch.setattr(svc, "_enqueue_send", lambda outbox_id: None)
    message = svc.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    with pytest.raises(SystemExit):
        svc.outbox_send(item.pk, client_factory=CrashAfterSend)
    item.refresh_from_db()
    assert item.state == "sending"
    # The sweeper and the dispatcher never send it again on their own.
    assert svc.outbox_dispatch_due() == 0
    assert svc.outbox_flag_stuck(older_than=timedelta(0)) == 1
    item.refresh_from_db()
    assert item.state == "check"
    assert svc.outbox_dispatch_due() == 0
    assert len(fake_graph.state.sent) == 1


def test_echo_reconciles_an_unrecorded_send(client, fake_graph, conversation, officer, monkeypatch):
    from nettpatrulje.inbox import services as svc

    monkeypatch.setattr(svc, "_enqueue_send", lambda outbox_id: None)
    message = svc.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    OutboxItem.objects.filter(pk=item.pk).update(state="sending", claimed_at=timezone.now())
    echo = {
        "sender": {"id": "PAGE1"},
        "recipient": {"id": "PSID1"},
        "timestamp": 1,
        "message": {"mid": "m_meta_1", "is_echo": True, "text": "hei", "metadata": item.metadata},
    }
    signed_post(client, envelope("PAGE1", echo))
    item.refresh_from_db()
    message.refresh_from_db()
    assert item.state == "sent"
    assert message.platform_message_id == "m_meta_1"
    assert Message.objects.filter(direction="out").count() == 1
    assert svc.outbox_flag_stuck(older_than=timedelta(0)) == 0


def test_officer_resolves_check_by_sending_again(fake_graph, conversation, officer):
    message = services.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    OutboxItem.objects.filter(pk=item.pk).update(state="check")
    services.outbox_resolve(item=item, actor=officer, delivered=False)
    item.refresh_from_db()
    assert item.state == "sent"
    assert len(fake_graph.state.sent) == 2


def test_standard_window(conversation):
    assert services.reply_window(conversation).allowed
    assert services.reply_window(conversation).tag == ""


def test_human_agent_tag_between_24h_and_7_days(fake_graph, conversation, officer):
    conversation.last_inbound_at = timezone.now() - timedelta(days=3)
    conversation.save()
    window = services.reply_window(conversation)
    assert window.allowed and window.tag == "HUMAN_AGENT"
    services.conversation_reply(conversation=conversation, author=officer, text="hei")
    assert fake_graph.state.sent[0]["tag"] == "HUMAN_AGENT"
    assert fake_graph.state.sent[0]["messaging_type"] == "MESSAGE_TAG"


def test_automatic_reply_not_allowed_outside_24h(conversation):
    conversation.last_inbound_at = timezone.now() - timedelta(days=3)
    with pytest.raises(services.ReplyBlocked):
        services.conversation_reply(
            conversation=conversation, author=None, text="auto", automatic=True
        )


def test_blocked_after_7_days(conversation, officer):
    conversation.last_inbound_at = timezone.now() - timedelta(days=8)
    conversation.save()
    with pytest.raises(services.ReplyBlocked, match="7 days"):
        services.conversation_reply(conversation=conversation, author=officer, text="hei")
    assert OutboxItem.objects.count() == 0


def test_send_error_classification():
    import httpx

    from nettpatrulje.channels.meta import GraphClient

    def respond(status, body):
        return httpx.Response(status, json=body)

    with pytest.raises(SendError) as e:
        GraphClient._result(respond(500, {"error": {"code": 2, "message": "x"}}))
    assert e.value.transient
    with pytest.raises(SendError) as e:
        GraphClient._result(respond(400, {"error": {"code": 190, "message": "expired"}}))
    assert e.value.needs_reconnect and not e.value.transient
    with pytest.raises(SendError) as e:
        GraphClient._result(respond(400, {"error": {"code": 613, "message": "rate"}}))
    assert e.value.transient
    with pytest.raises(SendError) as e:
        GraphClient._result(respond(400, {"error": {"code": 100, "message": "bad"}}))
    assert not e.value.transient


def test_platform_wait_time_is_honoured(fake_graph, conversation, officer, monkeypatch):
    class RateLimited:
        def __init__(self, channel):
            pass

        def send_text(self, **kwargs):
            raise SendError("HTTP 429", transient=True, code=429, retry_after=120)

    from nettpatrulje.inbox import services as svc

    monkeypatch.setattr(svc, "_enqueue_send", lambda outbox_id: None)
    message = svc.conversation_reply(conversation=conversation, author=officer, text="hei")
    item = OutboxItem.objects.get(message=message)
    svc.outbox_send(item.pk, client_factory=RateLimited)
    item.refresh_from_db()
    assert item.state == "queued"
    assert item.next_attempt_at > timezone.now() + timedelta(seconds=110)


def test_no_meta_window_on_other_platforms(conversation, channel):
    channel.platform = "discord"
    channel.save()
    conversation.last_inbound_at = timezone.now() - timedelta(days=30)
    window = services.reply_window(conversation)
    assert window.allowed and window.tag == ""

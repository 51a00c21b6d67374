"""Compiled reads give what their querysets give, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.transaction import TransactionManagementError

from nettpatrulje.inbox.models import Contact, Conversation, Message
from nettpatrulje.lib.compiled import CompiledRead
from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


@pytest.fixture
def inbox(client, channel):
    for i, (sender, text) in enumerate(
        [("U1", "hei"), ("U1", "er dere der?"), ("U2", "noen selger piller på snap 😬")]
    ):
        signed_post(client, envelope("PAGE1", text_event(sender, "PAGE1", text, mid=f"m_{i}")))
    return channel


def test_rows_are_the_querysets_rows(inbox):
    read = CompiledRead(
        lambda channel_id, thread_key: Conversation.objects.filter(
            channel_id=channel_id, thread_key=thread_key
        ),
        int,
        str,
    )
    for key in ("U1", "U2", "nobody"):
        expected = list(Conversation.objects.filter(channel_id=inbox.pk, thread_key=key))
        got = read(inbox.pk, key)
        assert [_fields(o) for o in got] == [_fields(o) for o in expected]
        # Converted as the ORM converts: JSON, datetimes with their time zone.
        assert all(
            type(a) is type(b)
            for o, e in zip(got, expected)
            for a, b in zip(_fields(o).values(), _fields(e).values())
        )
        assert all(not o._state.adding and o._state.db == "default" for o in got)


def test_one_compilation_serves_every_call(inbox, django_assert_num_queries):
    read = CompiledRead(
        lambda channel_id, mid: Message.objects.filter(
            channel_id=channel_id, platform_message_id=mid
        ),
        int,
        str,
        exists=True,
    )
    with django_assert_num_queries(4):
        assert read(inbox.pk, "m_0") is True
        assert read(inbox.pk, "m_2") is True
        assert read(inbox.pk, "m_9") is False
        assert read(inbox.pk + 1, "m_0") is False


def test_constants_stay_in_the_statement(inbox):
    read = CompiledRead(
        lambda channel_id: Message.objects.filter(
            channel_id=channel_id, direction="in", deleted_at__isnull=True
        ).order_by("sent_at", "platform_message_id"),
        int,
    )
    expected = Message.objects.filter(channel=inbox).order_by("sent_at", "platform_message_id")
    assert [m.pk for m in read(inbox.pk)] == [m.pk for m in expected]
    Message.objects.filter(platform_message_id="m_1").update(direction="out")
    assert [m.platform_message_id for m in read(inbox.pk)] == ["m_0", "m_2"]


def test_values_must_have_the_declared_type(inbox):
    read = CompiledRead(lambda channel_id: Contact.objects.filter(channel_id=channel_id), int)
    with pytest.raises(TypeError):
        read(str(inbox.pk))
    with pytest.raises(TypeError):
        read(True)
    with pytest.raises(TypeError):
        read()


def test_a_value_the_database_would_not_take_as_is_is_refused(inbox):
    # The channel's key is an int: a str lookup value is converted by the ORM, so
    # it cannot be substituted into compiled SQL.
    read = CompiledRead(lambda channel_id: Contact.objects.filter(channel_id=channel_id), str)
    with pytest.raises(ValueError):
        read("1")


def test_select_related_fills_the_related_instance(inbox, django_assert_num_queries):
    from nettpatrulje.channels.models import Channel

    read = CompiledRead(
        lambda platform, account_id: (
            Channel.objects.filter(platform=platform, account_id=account_id)
            .select_related("agency")
            .order_by()
        ),
        str,
        str,
    )
    expected = Channel.objects.select_related("agency").get(pk=inbox.pk)
    with django_assert_num_queries(1):
        (got,) = read(inbox.platform, inbox.account_id)
        assert _fields(got.agency) == _fields(expected.agency)
    assert got.secrets == expected.secrets  # decrypted by the field, as the ORM does
    assert _fields(got) == _fields(expected)
    assert read(inbox.platform, "nobody") == []


def test_values_list_is_refused(inbox):
    values = CompiledRead(
        lambda key: Conversation.objects.filter(thread_key=key).values_list("pk"), str
    )
    with pytest.raises(ValueError):
        values("U1")


def test_a_uuid_key_is_not_passed_as_it_is(inbox):
    # SQLite stores a UUID as 32 hex digits: the ORM converts a str key, so it
    # cannot be a parameter of a compiled read.
    read = CompiledRead(lambda pk: Contact.objects.filter(pk=pk), str)
    with pytest.raises((ValidationError, ValueError)):
        read("0d7bd2a6-6d43-4b9c-8f4a-2f8f1d1f0b0e")


@pytest.mark.django_db(transaction=True)
def test_for_update_needs_a_transaction_where_the_database_locks(inbox):
    from django.db import connection

    read = CompiledRead(
        lambda key: Conversation.objects.select_for_update().filter(thread_key=key), str
    )
    with transaction.atomic():
        assert len(read("U1")) == 1
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            read("U1")


def _event_row(pk: int) -> dict:
    from nettpatrulje.channels.models import WebhookEvent

    return WebhookEvent.objects.filter(pk=pk).values().get()


def test_an_update_writes_what_the_querysets_update_writes(inbox):
    from django.utils import timezone

    from nettpatrulje.channels.models import WebhookEvent
    from nettpatrulje.lib.compiled import CompiledUpdate

    a, b = (WebhookEvent.objects.create(source="meta", body=b"{}", headers={}) for _ in range(2))
    update = CompiledUpdate(lambda pk: WebhookEvent.objects.filter(pk=pk, status="pending"), int)
    now = timezone.now()
    for values in (
        # JSON, a related instance, a time, text with characters worth escaping.
        {
            "status": WebhookEvent.Status.PROCESSED,
            "error": 'it\'s "quoted" ø',
            "channel": inbox,
            "unrouted_accounts": ["x", 1],
            "processed_at": now,
        },
        # The same fields with None (written as NULL): another statement.
        {
            "status": "failed",
            "error": "",
            "channel": None,
            "unrouted_accounts": [],
            "processed_at": None,
        },
    ):
        WebhookEvent.objects.filter(pk__in=[a.pk, b.pk]).update(status="pending")
        assert update(a.pk, **values) == 1
        assert WebhookEvent.objects.filter(pk=b.pk, status="pending").update(**values) == 1
        got, expected = _event_row(a.pk), _event_row(b.pk)
        for row in (got, expected):
            del row["id"], row["received_at"]
        assert got == expected
    # The constant of the WHERE clause is kept: a settled event is not updated again.
    assert update(a.pk, status="processed") == 0
    assert update(a.pk + 1000, status="processed") == 0


def test_an_update_refuses_expressions(inbox):
    from django.db.models import F

    from nettpatrulje.channels.models import WebhookEvent
    from nettpatrulje.lib.compiled import CompiledUpdate

    event = WebhookEvent.objects.create(source="meta", body=b"{}", headers={})
    update = CompiledUpdate(lambda pk: WebhookEvent.objects.filter(pk=pk), int)
    with pytest.raises(TypeError):
        update(event.pk, attempts=F("attempts") + 1)
    assert update(event.pk, attempts=3) == 1
    event.refresh_from_db()
    assert event.attempts == 3


def test_a_uuid_key_reaches_the_database_as_the_field_sends_it(inbox):
    read = CompiledRead(lambda pk: Conversation.objects.filter(pk=pk), uuid.UUID)
    conversation = Conversation.objects.get(thread_key="U1")
    (got,) = read(conversation.pk)
    assert _fields(got) == _fields(conversation)
    assert read(uuid.uuid4()) == []


FIELDS = ["status", "priority", "urgency", "risk_score", "risk_signals", "waiting_since"]


def test_a_compiled_save_is_model_save(inbox):
    from django.db.models.signals import post_save, pre_save
    from django.utils import timezone

    from nettpatrulje.lib.compiled import CompiledSave

    a = Conversation.objects.get(thread_key="U1")
    b = Conversation.objects.get(thread_key="U2")
    original_language = a.language
    seen = []

    def receiver(signal, sender, instance, **kwargs):
        seen.append((signal, sender, instance.thread_key, sorted(kwargs.items(), key=str)))

    for signal in (pre_save, post_save):
        signal.connect(receiver, sender=Conversation, weak=False)
    try:
        save = CompiledSave(Conversation, FIELDS)
        now = timezone.now()
        for conversation in (a, b):
            conversation.status = "closed"
            conversation.priority = 1
            conversation.urgency = "high"
            conversation.risk_score = 0.25
            conversation.risk_signals = [{"signal": "gifts", "weight": 0.3, "excerpt": 'ø "x"'}]
            conversation.waiting_since = now
            conversation.language = "xx"  # not among the fields: not written
        save(a)
        b.save(update_fields=FIELDS)
    finally:
        for signal in (pre_save, post_save):
            signal.disconnect(receiver, sender=Conversation)

    def row(c):
        return Conversation.objects.filter(pk=c.pk).values(*FIELDS, "language").get()

    assert {k: v for k, v in row(a).items() if k != "language"} == {
        k: v for k, v in row(b).items() if k != "language"
    }
    assert row(a)["status"] == "closed" and row(a)["risk_signals"] == a.risk_signals
    assert row(a)["language"] == original_language

    assert [(s, snd, kw) for s, snd, _, kw in seen[:2]] == [
        (s, snd, kw) for s, snd, _, kw in seen[2:]
    ]
    assert [t for _, _, t, _ in seen] == ["U1", "U1", "U2", "U2"]
    assert not a._state.adding


def test_a_compiled_save_of_a_deleted_row_fails_as_save_does(inbox):
    from django.db import DatabaseError

    from nettpatrulje.lib.compiled import CompiledSave

    conversation = Conversation.objects.get(thread_key="U1")
    Conversation.objects.filter(pk=conversation.pk).delete()
    with pytest.raises(DatabaseError):
        CompiledSave(Conversation, FIELDS)(conversation)
    with pytest.raises(DatabaseError):
        conversation.save(update_fields=FIELDS)


def test_a_compiled_insert_is_model_save(inbox):
    from django.db import IntegrityError
    from django.db.models.signals import post_save, pre_save
    from django.utils import timezone

    from nettpatrulje.lib.compiled import CompiledInsert

    conversation = Conversation.objects.get(thread_key="U1")
    seen = []

    def receiver(signal, sender, instance, **kwargs):
        seen.append((signal, instance.platform_message_id, sorted(kwargs.items(), key=str)))

    now = timezone.now()

    def message(mid):
        return Message(
            agency_id=inbox.agency_id,
            conversation=conversation,
            channel=inbox,
            direction="in",
            text='hei "der" ø 😬',
            attachments=[{"type": "image", "url": "https://x"}],
            reply_to={"mid": "m_0"},
            payload="",
            platform_message_id=mid,
            sent_at=now,
            flags=["minor"],
            pii=[{"type": "phone", "start": 1, "end": 3}],
            triaged_at=now,
        )

    for signal in (pre_save, post_save):
        signal.connect(receiver, sender=Message, weak=False)
    try:
        insert = CompiledInsert(Message)
        a, b = message("m_a"), message("m_b")
        insert(a)
        b.save(force_insert=True)
    finally:
        for signal in (pre_save, post_save):
            signal.disconnect(receiver, sender=Message)

    def row(m):
        values = Message.objects.filter(pk=m.pk).values().get()
        del values["id"], values["platform_message_id"], values["created_at"]
        return values

    assert row(a) == row(b)
    assert [(s, kw) for s, _, kw in seen[:2]] == [(s, kw) for s, _, kw in seen[2:]]
    assert not a._state.adding and a._state.db == "default"
    # A second copy breaks the unique constraint as save() would, and the
    # savepoint around it can be rolled back.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(message("m_a"))
    assert Message.objects.filter(platform_message_id="m_a").count() == 1
    with pytest.raises(TypeError):
        insert(Message(pk=None))

    # Skipping conflicts: a copy is not inserted and no post_save is sent; a new
    # one is, as before.
    once = CompiledInsert(Message, skip_conflicts_on=("channel", "platform_message_id"))
    seen.clear()
    for signal in (pre_save, post_save):
        signal.connect(receiver, sender=Message, weak=False)
    try:
        copy = message("m_a")
        assert once(copy) is False
        assert copy._state.adding
        assert [s for s, _, _ in seen] == [pre_save]
        c = message("m_c")
        assert once(c) is True
    finally:
        for signal in (pre_save, post_save):
            signal.disconnect(receiver, sender=Message)
    assert [s for s, _, _ in seen] == [pre_save, pre_save, post_save]
    assert Message.objects.filter(platform_message_id="m_a").count() == 1
    assert row(c) == row(a)
    # Another constraint still raises (SQLite's INSERT OR IGNORE would not).
    broken = message("m_d")
    broken.text = None
    with pytest.raises(IntegrityError), transaction.atomic():
        once(broken)
    assert not Message.objects.filter(platform_message_id="m_d").exists()
    with pytest.raises(ValueError):
        CompiledInsert(Message, skip_conflicts_on=("platform_message_id",))


def test_values_rows_are_the_querysets_dicts(inbox):
    def build(conversation_id):
        return (
            Message.objects.filter(conversation_id=conversation_id, deleted_at__isnull=True)
            .order_by("-sent_at", "platform_message_id")
            .values("pk", "text", "sent_at", "direction")[:2]
        )

    read = CompiledRead(build, uuid.UUID)
    for conversation in Conversation.objects.all():
        assert read(conversation.pk) == list(build(conversation.pk))
    assert read(uuid.uuid4()) == []

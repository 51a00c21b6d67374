from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from nettpatrulje.audit.models import AuditRecord, RetentionPolicy
from nettpatrulje.audit.retention import (
    legal_hold_place,
    legal_hold_release,
    retention_plan,
    retention_run,
)
from nettpatrulje.audit.verify import verify_chain
from nettpatrulje.inbox.models import Contact, Conversation, Message
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def closed(channel, category, days_ago, **extra):
    c = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        category=category,
        status="closed",
        closed_at=timezone.now() - timedelta(days=days_ago),
        **extra,
    )
    MessageFactory(conversation=c, text=f"{category} message, ring 41234567")
    return c


@pytest.fixture
def policies(agency):
    RetentionPolicy.objects.create(
        agency=agency, category="question", keep_days=90, action="delete"
    )
    RetentionPolicy.objects.create(
        agency=agency, category="sexual_exploitation", keep_days=3650, action="anonymise"
    )
    RetentionPolicy.objects.create(agency=agency, category="", keep_days=365, action="anonymise")


def test_expired_questions_deleted_others_kept(channel, policies):
    old_question = closed(channel, "question", 100)
    new_question = closed(channel, "question", 10)
    old_abuse = closed(channel, "sexual_exploitation", 400)
    open_question = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        category="question",
    )
    plan = retention_plan()
    assert [c.pk for c in plan.delete] == [old_question.pk]
    assert plan.anonymise == []
    run = retention_run()
    assert run.deleted == 1
    assert not Conversation.objects.filter(pk=old_question.pk).exists()
    assert not Contact.objects.filter(pk=old_question.contact_id).exists()
    assert set(Conversation.objects.values_list("pk", flat=True)) == {
        new_question.pk,
        old_abuse.pk,
        open_question.pk,
    }


def test_catch_all_policy_anonymises_and_keeps_figures(channel, policies):
    fraud = closed(channel, "fraud", 400)
    retention_run()
    fraud.refresh_from_db()
    assert fraud.category == "fraud" and fraud.thread_key.startswith("anonymised:")
    assert fraud.contact.platform_id.startswith("anonymised:")
    message = Message.objects.get(conversation=fraud)
    assert message.text == "" and message.redacted_text == ""
    assert message.category == "" or message.sent_at  # the row stays for the figures
    assert retention_plan().anonymise == []  # not again


def test_legal_hold_protects_until_released(channel, policies, officer):
    old = closed(channel, "question", 200)
    hold = legal_hold_place(conversation=old, user=officer, reason="court order 2026-123")
    plan = retention_plan()
    assert plan.delete == [] and [c.pk for c in plan.held] == [old.pk]
    assert retention_run().held == 1
    assert Conversation.objects.filter(pk=old.pk).exists()
    legal_hold_release(hold=hold, user=officer, reason="case closed")
    assert retention_run().deleted == 1


def test_deletions_are_audited_and_audit_survives(channel, policies):
    old = closed(channel, "question", 100)
    retention_run()
    record = AuditRecord.objects.get(action="retention.delete")
    assert record.object_id == str(old.pk)
    assert verify_chain().ok


def test_dry_run_command_changes_nothing(channel, policies, capsys):
    closed(channel, "question", 100)
    call_command("retention", "--dry-run")
    assert "delete: 1" in capsys.readouterr().out
    assert Conversation.objects.count() == 1


def test_retention_page_for_admin(client, agency, channel, policies):
    from nettpatrulje.testing.factories import UserFactory

    closed(channel, "question", 100)
    client.force_login(UserFactory(agency=agency, roles=["admin"]))
    html = client.get("/admin/audit/retention/").content.decode()
    assert "1 conversation deleted" in html
    client.post(
        "/admin/audit/retention/", {"category": "fraud", "keep_days": "30", "action": "delete"}
    )
    assert RetentionPolicy.objects.get(agency=agency, category="fraud").keep_days == 30

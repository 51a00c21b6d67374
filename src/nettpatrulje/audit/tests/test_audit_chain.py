from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.audit.services import audit_log
from nettpatrulje.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(officer):
    return [audit_log(action=f"test.{i}", actor=officer, detail={"i": i}) for i in range(5)]


def test_intact_chain_verifies(trail, capsys):
    assert verify_chain().ok
    call_command("audit", "verify")
    assert "5 records verified" in capsys.readouterr().out


def tamper(sql: str, *params) -> None:
    # What an attacker with database access would do: the ORM refuses.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_orm_refuses_changes_and_deletes(trail):
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=trail[0].pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=trail[0].pk).delete()
    with pytest.raises(PermissionError):
        trail[0].save()


def test_changed_record_is_named(trail):
    tamper("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", '{"i": 99}', trail[2].pk)
    report = verify_chain()
    assert report.first_broken_id == trail[2].pk
    with pytest.raises(CommandError, match=f"record {trail[2].pk}"):
        call_command("audit", "verify")


def test_deleted_record_breaks_the_next(trail):
    tamper("DELETE FROM audit_auditrecord WHERE id = %s", trail[1].pk)
    assert verify_chain().first_broken_id == trail[2].pk


def test_rehashed_forgery_still_detected_downstream(trail):
    from nettpatrulje.audit.services import record_digest

    forged = AuditRecord.objects.get(pk=trail[3].pk)
    forged.action = "test.innocent"
    tamper(
        "UPDATE audit_auditrecord SET action = %s, hash = %s WHERE id = %s",
        forged.action,
        record_digest(forged),
        forged.pk,
    )
    assert verify_chain().first_broken_id == trail[4].pk


def test_records_chain_in_order(trail):
    assert trail[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(trail))

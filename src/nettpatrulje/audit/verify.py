"""Checking the audit trail's hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.audit.services import GENESIS, record_digest


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole trail in id order. Each record's hash must be the digest of
    its own content and point to the previous record's hash, so changing,
    deleting or inserting any record breaks the chain at that record."""
    previous = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditRecord.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked)
        for record in batch:
            if record.prev_hash != previous:
                return ChainReport(
                    checked,
                    record.pk,
                    "does not follow the previous record (removed or inserted record)",
                )
            if record_digest(record) != record.hash:
                return ChainReport(
                    checked, record.pk, "content does not match its hash (record changed)"
                )
            previous = record.hash
            checked += 1
        last_id = batch[-1].pk

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit trail operations: `audit verify` checks the hash chain and names the first broken record."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify")

    def handle(self, *args, action: str, **options) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit trail BROKEN at record {report.first_broken_id}: {report.reason} "
                f"({report.checked} records before it verified)"
            )
        self.stdout.write(f"audit trail intact: {report.checked} records verified")

from __future__ import annotations

from django.core.management.base import BaseCommand

from nettpatrulje.audit.retention import retention_plan, retention_run


class Command(BaseCommand):
    help = "Apply the retention policies now, or with --dry-run show what the next run will remove."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options) -> None:
        if dry_run:
            plan = retention_plan()
            for label, items in (
                ("delete", plan.delete),
                ("anonymise", plan.anonymise),
                ("held", plan.held),
            ):
                self.stdout.write(f"{label}: {len(items)}")
                for c in items:
                    self.stdout.write(
                        f"  {c.pk} {c.agency_id} {c.category or '-'} closed {c.closed_at:%Y-%m-%d}"
                    )
            return
        run = retention_run()
        self.stdout.write(
            f"deleted {run.deleted}, anonymised {run.anonymised}, kept under legal hold {run.held}"
        )

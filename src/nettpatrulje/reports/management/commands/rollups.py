from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand

from nettpatrulje.accounts.models import Agency
from nettpatrulje.reports.rollups import rollups_rebuild, rollups_refresh


class Command(BaseCommand):
    help = (
        "Bring the daily roll-ups of dashboards and reports up to date: recompute the "
        "days marked dirty, or with --rebuild every day from the stored data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute everything")
        parser.add_argument("--agency", help="agency slug (default: all)")
        parser.add_argument("--source", action="append", help="messages, conversations, patrols, …")
        parser.add_argument("--since", type=date.fromisoformat, help="first day to rebuild")
        parser.add_argument("--until", type=date.fromisoformat, help="last day to rebuild")

    def handle(self, *args, **options) -> None:
        if not options["rebuild"]:
            done = rollups_refresh(limit=100000, debounce=timedelta(0))
            self.stdout.write(f"recomputed {done} day(s)")
            return
        agencies = Agency.objects.all()
        if options["agency"]:
            agencies = agencies.filter(slug=options["agency"])
        counts = rollups_rebuild(
            agencies=list(agencies),
            sources=options["source"],
            since=options["since"],
            until=options["until"],
        )
        for source, n in sorted(counts.items()):
            self.stdout.write(f"{source}: {n} rows")

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from nettpatrulje.reports.generate import generate


class Command(BaseCommand):
    help = "Generate realistic conversations and messages in bulk (benchmarks, demos)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--messages", type=int, required=True)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--agency", help="agency slug (default: the first, or a new 'bench')")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-rollups", action="store_true", help="skip the roll-up rebuild")

    def handle(self, *args, **options) -> None:
        t0 = time.perf_counter()
        counts = generate(
            messages=options["messages"],
            months=options["months"],
            agency_slug=options["agency"],
            seed=options["seed"],
            rebuild=not options["no_rollups"],
        )
        self.stdout.write(
            f"{counts['messages']} messages in {counts['conversations']} conversations "
            f"({time.perf_counter() - t0:.1f} s)"
        )

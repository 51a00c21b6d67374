from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from nettpatrulje.web.stats import system_stats


class Command(BaseCommand):
    help = "Print counts of events, messages, conversations and the outbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        data = system_stats()
        if options["json"]:
            self.stdout.write(json.dumps(data))
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {value}")

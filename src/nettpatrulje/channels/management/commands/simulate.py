from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.channels.simulator import run_simulation


class Command(BaseCommand):
    help = "Post realistic signed Messenger and Instagram webhook events, as Meta would."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rate", type=float, default=2.0, help="events per second")
        parser.add_argument("--duration", type=float, default=30.0, help="seconds")
        parser.add_argument("--url", default="http://127.0.0.1:8000/webhooks/meta")
        parser.add_argument(
            "--account",
            action="append",
            default=[],
            help="messenger:PAGE_ID or instagram:IG_ID (default: every configured channel)",
        )
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, rate, duration, url, account, seed, json: bool, **options) -> None:
        accounts = [self._parse(a) for a in account] or [
            ("instagram" if c.platform == Platform.INSTAGRAM else "page", c.account_id)
            for c in Channel.objects.filter(
                platform__in=[Platform.MESSENGER, Platform.INSTAGRAM], status=Channel.Status.ACTIVE
            )
        ]
        if not accounts:
            raise CommandError("No Messenger or Instagram channel configured; pass --account.")
        if not settings.META_APP_SECRET:
            raise CommandError("META_APP_SECRET is not set: the webhook would refuse every event.")
        summary = run_simulation(
            url=url,
            app_secret=settings.META_APP_SECRET,
            accounts=accounts,
            rate=rate,
            duration=duration,
            seed=seed,
        )
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                f"sent {summary['sent']} ({summary['duplicates_sent']} retries, "
                f"{summary['concurrent_pairs']} concurrent pairs), accepted {summary['accepted']} "
                f"= {summary['accepted_per_second']}/s, p50 {summary['latency_ms']['p50']} ms, "
                f"p99 {summary['latency_ms']['p99']} ms, rejected {summary['rejected']}, errors {summary['errors']}"
            )

    @staticmethod
    def _parse(value: str) -> tuple[str, str]:
        platform, _, account_id = value.partition(":")
        if platform not in {"messenger", "instagram"} or not account_id:
            raise CommandError(f"--account must be messenger:ID or instagram:ID, not {value!r}")
        return ("page" if platform == "messenger" else "instagram", account_id)


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2)

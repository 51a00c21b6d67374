from __future__ import annotations

import json
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.channels.simulator import run_simulation
from nettpatrulje.channels.simulator_gaming import run_gaming_traffic


class Command(BaseCommand):
    help = (
        "Post realistic signed Messenger and Instagram events, as Meta would, and traffic from "
        "the configured Twitch, Discord and web chat channels."
    )

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
        parser.add_argument(
            "--gaming-share",
            type=float,
            default=0.4,
            help="share of the rate for Twitch, Discord and the web chat, when configured",
        )

    def handle(
        self, *args, rate, duration, url, account, seed, json: bool, gaming_share: float, **options
    ) -> None:
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
        meta_rate = rate
        gaming: dict = {}
        thread = None
        if gaming_share > 0 and not account:
            # Twitch, Discord and the web chat run beside the Meta traffic, in their own thread.
            base_url = url.split("/webhooks/")[0]
            meta_rate = rate * (1 - gaming_share)

            def _gaming() -> None:
                gaming.update(
                    run_gaming_traffic(
                        base_url=base_url, rate=rate * gaming_share, duration=duration, seed=seed
                    )
                )
                connection.close()

            thread = threading.Thread(target=_gaming, daemon=True)
            thread.start()
        summary = run_simulation(
            url=url,
            app_secret=settings.META_APP_SECRET,
            accounts=accounts,
            rate=meta_rate,
            duration=duration,
            seed=seed,
        )
        if thread is not None:
            thread.join()
            summary["gaming"] = gaming
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                f"sent {summary['sent']} ({summary['duplicates_sent']} retries, "
                f"{summary['concurrent_pairs']} concurrent pairs), accepted {summary['accepted']} "
                f"= {summary['accepted_per_second']}/s, p50 {summary['latency_ms']['p50']} ms, "
                f"p99 {summary['latency_ms']['p99']} ms, rejected {summary['rejected']}, errors {summary['errors']}"
            )
            if summary.get("gaming"):
                self.stdout.write(f"gaming platforms and web chat: {summary['gaming']}")

    @staticmethod
    def _parse(value: str) -> tuple[str, str]:
        platform, _, account_id = value.partition(":")
        if platform not in {"messenger", "instagram"} or not account_id:
            raise CommandError(f"--account must be messenger:ID or instagram:ID, not {value!r}")
        return ("page" if platform == "messenger" else "instagram", account_id)


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2)

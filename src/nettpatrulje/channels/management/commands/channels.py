from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.accounts.models import Agency
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.channels.services import channel_create


class Command(BaseCommand):
    help = "Manage channels: `channels add --agency SLUG --platform P --account-id ID --token T`, `channels list [--json]`."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("--agency", required=True)
        add.add_argument("--platform", required=True, choices=Platform.values)
        add.add_argument("--account-id", required=True)
        add.add_argument("--token", default="")
        add.add_argument("--name", default="")
        add.add_argument(
            "--config",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="non-secret setting, e.g. public_key=..., guild_id=...",
        )
        add.add_argument(
            "--secret",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="secret, stored encrypted, e.g. bot_token=..., eventsub_secret=...",
        )
        lst = sub.add_parser("list")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, **options) -> None:
        if action == "add":
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(
                    f"no agency {options['agency']!r}; add it with `nettpatrulje agencies add`"
                )
            channel = channel_create(
                agency=agency,
                platform=options["platform"],
                account_id=options["account_id"],
                token=options["token"],
                name=options["name"],
                config=_pairs(options["config"]),
                secrets=_pairs(options["secret"]),
            )
            self.stdout.write(
                f"channel {channel.pk}: {channel.platform} {channel.account_id} → {agency.slug}"
            )
            return
        rows = [
            {
                "id": c.pk,
                "agency": c.agency.slug,
                "platform": c.platform,
                "account_id": c.account_id,
                "name": c.name,
                "status": c.status,
                "needs_reconnect": c.needs_reconnect,
                "has_token": bool(c.access_token),
                "last_event_at": c.last_event_at.isoformat() if c.last_event_at else None,
                "last_send_at": c.last_send_at.isoformat() if c.last_send_at else None,
            }
            for c in Channel.objects.select_related("agency").order_by("pk")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows))
        else:
            for r in rows:
                self.stdout.write(
                    f"{r['id']}\t{r['agency']}\t{r['platform']}\t{r['account_id']}\t{r['status']}"
                )


def _pairs(values: list[str]) -> dict[str, str]:
    result = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise CommandError(f"expected KEY=VALUE, got {value!r}")
        result[key] = val
    return result

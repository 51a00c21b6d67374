from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.services import agency_create


class Command(BaseCommand):
    help = "Manage agencies: `agencies add SLUG --name NAME --country CC [--timezone TZ]`, `agencies list`."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("slug")
        add.add_argument("--name", required=True)
        add.add_argument("--country", required=True)
        add.add_argument("--timezone", default="Europe/Oslo")
        add.add_argument("--language", default="en")
        lst = sub.add_parser("list")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, **options) -> None:
        if action == "add":
            if len(options["country"]) != 2 or not options["country"].isalpha():
                raise CommandError("--country must be a two-letter ISO code, e.g. NO")
            try:
                agency = agency_create(
                    slug=options["slug"],
                    name=options["name"],
                    country=options["country"],
                    timezone_name=options["timezone"],
                    language=options["language"],
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"agency {agency.slug} ({agency.country}, {agency.timezone}) saved")
        else:
            rows = [
                {"slug": a.slug, "name": a.name, "country": a.country, "timezone": a.timezone}
                for a in Agency.objects.all()
            ]
            if options["json"]:
                self.stdout.write(json.dumps(rows))
            else:
                for r in rows:
                    self.stdout.write(f"{r['slug']}\t{r['country']}\t{r['timezone']}\t{r['name']}")

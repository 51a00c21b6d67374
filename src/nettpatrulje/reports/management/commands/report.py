from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.accounts.models import Agency
from nettpatrulje.reports import pdf, selectors


class Command(BaseCommand):
    help = (
        "Write a report: 'report monthly --agency SLUG --month 2026-10' or "
        "'report operation SLUG', as pdf, html or json."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=["monthly", "operation"])
        parser.add_argument("operation", nargs="?", help="operation slug (or id)")
        parser.add_argument("--agency", help="agency slug (monthly)")
        parser.add_argument("--month", help="YYYY-MM (monthly)")
        parser.add_argument("--format", choices=["pdf", "html", "json"], default="pdf")
        parser.add_argument("--language", default="", help="default: the agency's language")
        parser.add_argument("-o", "--output", help="file (default: stdout)")

    def handle(self, *args, **options) -> None:
        fmt = options["format"]
        if options["kind"] == "monthly":
            if not options["agency"] or not options["month"]:
                raise CommandError("monthly needs --agency and --month")
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"no agency {options['agency']!r}")
            try:
                year, month = (int(x) for x in options["month"].split("-"))
            except ValueError as exc:
                raise CommandError("--month is YYYY-MM") from exc
            language = options["language"] or agency.language
            data = selectors.monthly_report(
                selectors.AgencyViewer(agency),
                agency=agency,
                year=year,
                month=month,
                language=language,
            )
        else:
            from nettpatrulje.patrols.models import Operation

            ref = options["operation"] or ""
            op = Operation.objects.filter(slug=ref).first()
            if op is None and ref.isdigit():
                op = Operation.objects.filter(pk=int(ref)).first()
            if op is None:
                raise CommandError(f"no operation {ref!r}")
            language = options["language"] or op.lead.language
            data = selectors.operation_report(
                selectors.AgencyViewer(op.lead), operation=op, language=language
            )
        body, _type = pdf.render(data, fmt=fmt, language=language)
        if options["output"]:
            with open(options["output"], "wb") as fh:
                fh.write(body)
            self.stdout.write(f"wrote {options['output']} ({len(body)} bytes)")
        else:
            sys.stdout.buffer.write(body)

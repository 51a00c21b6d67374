"""``nettpatrulje triage``: triage JSON Lines, or evaluate against a labelled file."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nettpatrulje.triage.cli import run_eval, run_triage


class Command(BaseCommand):
    # Pure computation on files: it must work before the deployment is configured.
    requires_system_checks = []
    help = "Triage messages (JSON Lines in, JSON Lines out) or evaluate with --eval FILE."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--input", help="JSON Lines file with id and text (default stdin)")
        parser.add_argument("--output", help="where to write results (default stdout)")
        parser.add_argument("--country", help="receiving agency's country code, e.g. NO, FI")
        parser.add_argument("--eval", dest="eval_path", help="labelled JSON Lines to evaluate")
        parser.add_argument("--json", action="store_true", help="with --eval: print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with ExitStack() as stack:
            out = (
                stack.enter_context(open(options["output"], "w", encoding="utf-8"))
                if options["output"]
                else sys.stdout
            )
            if options["eval_path"]:
                code = run_eval(options["eval_path"], out, as_json=options["json"])
            else:
                infile = (
                    stack.enter_context(open(options["input"], encoding="utf-8"))
                    if options["input"]
                    else sys.stdin
                )
                code = run_triage(infile, out, options["country"])
        if code:
            raise CommandError("malformed input (see the message above)", returncode=code)

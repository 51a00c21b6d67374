from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Online backup of the SQLite database (consistent while the app runs). PostgreSQL: use pg_dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "destination",
            nargs="?",
            help="file to write (default: var/backups/<timestamp>.sqlite3)",
        )

    def handle(self, *args, destination: str | None, **options) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                "This database is not SQLite: back it up with pg_dump (see docs/operations.md)."
            )
        source = Path(settings.DATABASES["default"]["NAME"])
        if destination is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = settings.VAR_DIR / "backups" / f"nettpatrulje-{stamp}.sqlite3"
        else:
            target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        # SQLite's online backup API copies a consistent snapshot page by page
        # without blocking writers for the whole copy.
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst, pages=1024)
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise CommandError(f"backup integrity check failed: {check}")
        self.stdout.write(f"backup written to {target}")

from __future__ import annotations

import sqlite3
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_sqlite_online_backup(tmp_path, channel):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backup; PostgreSQL uses pg_dump")
    target = tmp_path / "copy.sqlite3"
    out = StringIO()
    call_command("backup", str(target), stdout=out)
    with sqlite3.connect(target) as db:
        (count,) = db.execute("SELECT count(*) FROM channels_channel").fetchone()
    assert count == 1
    assert "backup written" in out.getvalue()

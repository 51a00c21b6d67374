"""PostgreSQL analyses the queue tables after small changes (migration 0005)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.parametrize("table", ["django_tasks_database_dbtaskresult", "channels_webhookevent"])
def test_queue_tables_are_analysed_after_one_per_cent_changes(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        (options,) = cursor.fetchone()
    assert "autovacuum_analyze_scale_factor=0.01" in options

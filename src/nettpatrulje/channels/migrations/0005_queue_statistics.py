"""PostgreSQL: keep the planner's statistics of the two queue tables fresh.

A burst fills them from a few rows to a hundred thousand within minutes. With
the statistics of the small table, the planner answered the workers' claim
query (the next READY task, in priority order) by sorting the whole backlog:
158 ms a claim instead of 0.1 ms, so workers slowed down exactly when the
backlog grew (measured with bench/memory.py). Analysing after 1 % changes
instead of PostgreSQL's default 10 % keeps the ordering index in use.
"""

from django.db import migrations

TABLES = ("django_tasks_database_dbtaskresult", "channels_webhookevent")


def tune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} SET "
            "(autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500, "
            "autovacuum_vacuum_scale_factor = 0.02)"
        )


def untune(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} RESET "
            "(autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, "
            "autovacuum_vacuum_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0004_platform_internal"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(tune, untune)]

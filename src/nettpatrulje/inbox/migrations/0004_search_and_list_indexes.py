"""Full-text search over messages (see inbox/search.py) and indexes for the
inbox list's filters and ordering. The search structures differ per database
and live outside Django's model state."""

from django.db import migrations, models


def search_install(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_install(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        search.sqlite_index_ensure(schema_editor.connection)


def search_uninstall(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_uninstall(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        search.sqlite_uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0003_conversation_risk'),
    ]

    operations = [
        migrations.RunPython(search_install, search_uninstall, elidable=False),
    ]

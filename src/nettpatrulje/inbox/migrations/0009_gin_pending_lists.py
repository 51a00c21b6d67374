"""Search indexes without long pending lists (see inbox/search.py); nothing
to do on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_gin_pending_install(schema_editor)


def uninstall(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_gin_pending_uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0008_conversation_words"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]

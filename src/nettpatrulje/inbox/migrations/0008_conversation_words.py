"""The words of each conversation, for the search walk, kept by
triggers (see inbox/search.py); nothing to do on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_conversation_doc_install(schema_editor)


def uninstall(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_conversation_doc_uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0007_open_conversations_index"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]

"""Substring search of contact names and handles by index on PostgreSQL
(see inbox/search.py); nothing to do on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_contact_trigram_install(schema_editor)


def uninstall(apps, schema_editor):
    from nettpatrulje.inbox import search

    if schema_editor.connection.vendor == "postgresql":
        search.pg_contact_trigram_uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('inbox', '0005_list_order_indexes'),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _search_index_ensure(using: str = "default", **kwargs) -> None:
    # A later migration that alters inbox_message makes Django rebuild the
    # table on SQLite, which drops the search triggers: put them back.
    from django.db import connections

    from nettpatrulje.inbox.search import sqlite_index_ensure

    sqlite_index_ensure(connections[using])


class InboxConfig(AppConfig):
    name = "nettpatrulje.inbox"
    label = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_search_index_ensure, sender=self)

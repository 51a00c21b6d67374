from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "nettpatrulje.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from nettpatrulje.accounts.roles import sync_roles

        # Roles need every app's permissions, so sync once the last app migrated.
        post_migrate.connect(sync_roles, dispatch_uid="nettpatrulje.sync_roles")

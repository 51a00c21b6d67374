from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "nettpatrulje.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every source's models mark the days they touch as needing recomputation.
        from nettpatrulje.reports import rollups

        rollups.connect_signals()

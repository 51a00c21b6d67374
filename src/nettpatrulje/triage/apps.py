from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "nettpatrulje.triage"
    label = "triage"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Triage"

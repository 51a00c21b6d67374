from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "nettpatrulje.patrols"
    label = "patrols"
    default_auto_field = "django.db.models.BigAutoField"

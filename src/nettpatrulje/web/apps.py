from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "nettpatrulje.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from nettpatrulje.web import checks  # noqa: F401 -- registers the system checks

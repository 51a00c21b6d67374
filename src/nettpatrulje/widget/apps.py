from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "nettpatrulje.widget"
    label = "widget"
    verbose_name = "Web chat widget"

from django.urls import path

from nettpatrulje.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("monthly/", views.monthly, name="monthly"),
    path("operations/<slug:slug>/", views.operation, name="operation"),
    path("examples/", views.examples, name="examples"),
    path("examples/<int:example_id>/delete/", views.example_delete, name="example-delete"),
]

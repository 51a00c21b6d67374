from django.urls import path

from nettpatrulje.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("monthly/", views.monthly, name="monthly"),
    path("operations/<int:operation_id>/", views.operation, name="operation"),
    path("examples/", views.examples, name="examples"),
    path("examples/delete/", views.example_delete, name="example-delete"),
]

from django.urls import path

from nettpatrulje.triage import views

app_name = "triage"
urlpatterns = [
    path("alerts/banner", views.alerts_banner, name="alerts-banner"),
    path("alerts/<int:alert_id>/ack", views.alert_acknowledge, name="alert-ack"),
    path("messages/<uuid:message_id>/correct", views.message_correct, name="correct"),
    path("quality/", views.quality, name="quality"),
]

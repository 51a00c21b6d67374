from django.urls import path

from nettpatrulje.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("evidence/<uuid:conversation_id>", views.evidence_export, name="evidence"),
    path(
        "evidence/session/<int:session_id>", views.session_evidence_export, name="session-evidence"
    ),
    path("hold/<uuid:conversation_id>", views.hold_place, name="hold-place"),
    path("hold/<int:hold_id>/release", views.hold_release, name="hold-release"),
    path("retention/", views.retention, name="retention"),
]

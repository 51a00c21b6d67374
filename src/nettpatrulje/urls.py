from django.urls import include, path

from nettpatrulje.api import api

urlpatterns = [
    path("", include("nettpatrulje.web.urls")),
    path("", include("nettpatrulje.channels.urls")),
    path("", include("nettpatrulje.accounts.urls")),
    path("inbox/", include("nettpatrulje.inbox.urls")),
    path("triage/", include("nettpatrulje.triage.urls")),
    path("admin/audit/", include("nettpatrulje.audit.urls")),
    path("widget/", include("nettpatrulje.widget.urls")),
    path("patrols/", include("nettpatrulje.patrols.urls")),
    path("library/", include("nettpatrulje.library.urls")),
    path("reports/", include("nettpatrulje.reports.urls")),
    path("api/v1/", api.urls),
]

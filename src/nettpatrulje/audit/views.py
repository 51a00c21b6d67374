from __future__ import annotations

import csv

from django import forms
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.audit.selectors import TrailFilters, trail_search
from nettpatrulje.audit.services import audit_log
from nettpatrulje.lib.http import client_ip


class TrailForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> TrailFilters:
        return TrailFilters(**self.cleaned_data) if self.is_valid() else TrailFilters()


class _Echo:
    def write(self, value: str) -> str:
        return value


@agency_member_required
@permission("audit.view_trail")
def trail(request: HttpRequest) -> HttpResponse:
    form = TrailForm(request.GET or None)
    records = trail_search(user=request.user, filters=form.filters())
    if request.GET.get("format") == "csv":
        audit_log(
            action="audit.export",
            actor=request.user,
            agency_id=request.user.agency_id,
            ip=client_ip(request),
            detail={"filters": request.GET.dict()},
        )
        writer = csv.writer(_Echo())
        header = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "ip",
            "reason",
            "detail",
            "hash",
        ]
        rows = (
            [
                r.pk,
                r.at.isoformat(),
                r.actor_label,
                r.action,
                r.object_type,
                r.object_id,
                r.ip or "",
                r.reason,
                r.detail,
                r.hash,
            ]
            for r in records.iterator()
        )
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in _with_header(header, rows)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
    return render(request, "audit/trail.html", {"form": form, "records": records[:200]})


def _with_header(header, rows):
    yield header
    yield from rows

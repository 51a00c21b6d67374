"""Dashboard, exports, report downloads and notable examples. Thin: figures come
from `selectors`, files from `exports` and `pdf`, writes from `services`."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.inbox.models import Message
from nettpatrulje.reports import exports, pdf, selectors, services
from nettpatrulje.reports.forms import ExampleForm, FilterForm
from nettpatrulje.reports.models import NotableExample


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _filters(request: HttpRequest) -> tuple[FilterForm, selectors.Filters]:
    form = FilterForm(request.GET or None, user=request.user)
    return form, form.filters(selectors.today_for(request.user.agency))


@agency_member_required
@permission("reports.view_reports")
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    data = selectors.dashboard(request.user, filters)
    today = selectors.today_for(request.user.agency)
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    return render(
        request,
        "reports/dashboard.html",
        {
            **data,
            "form": form,
            # The filter as a query string, so exports cover what the dashboard shows.
            "query": urlencode(filters.as_query()),
            "last_month": selectors.month_key(last_month),
            "operations": selectors.filter_choices(request.user)["operations"],
        },
    )


@agency_member_required
@permission("reports.export_reports")
def export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    kind = request.GET.get("kind", "conversations")
    fmt = request.GET.get("format", "csv")
    if kind not in {"conversations", "messages"} or fmt not in {"csv", "json"}:
        raise Http404
    full_text = request.GET.get("text") == "full"
    if full_text and not request.user.has_perm("reports.export_full_text"):
        raise PermissionDenied("full text")
    services.export_recorded(
        actor=request.user,
        kind=kind,
        fmt=fmt,
        full_text=full_text,
        filters=filters.as_query(),
        ip=_ip(request),
    )
    if kind == "conversations":
        fields = exports.CONVERSATION_FIELDS
        rows = exports.conversation_rows(exports.conversations(request.user, filters))
    else:
        fields = exports.MESSAGE_FIELDS
        rows = exports.message_rows(exports.messages(request.user, filters), full_text=full_text)
    body = exports.csv_stream(fields, rows) if fmt == "csv" else exports.json_stream(rows)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    response = StreamingHttpResponse(body, content_type=content_type)
    name = f"nettpatrulje-{kind}-{filters.start}-{filters.end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _send(request: HttpRequest, data: dict, name: str) -> HttpResponse:
    fmt = request.GET.get("format", "html")
    if fmt not in {"pdf", "html", "json"}:
        raise Http404
    body, content_type = pdf.render(data, fmt=fmt, language=get_language() or "en")
    response = HttpResponse(body, content_type=content_type)
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@agency_member_required
@permission("reports.view_reports")
def monthly(request: HttpRequest) -> HttpResponse:
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc
    data = selectors.monthly_report(
        request.user,
        agency=request.user.agency,
        year=year,
        month=month,
        language=get_language() or "en",
    )
    return _send(request, data, f"nettpatrulje-{request.user.agency.slug}-{year}-{month:02d}")


@agency_member_required
@permission("reports.view_reports")
def operation(request: HttpRequest, operation_id: int) -> HttpResponse:
    from nettpatrulje.patrols.models import Operation

    op = get_visible_or_404(Operation, request.user, pk=operation_id)
    try:
        data = selectors.operation_report(
            request.user, operation=op, language=get_language() or "en"
        )
    except selectors.NotLead as exc:
        raise PermissionDenied("only the lead agency") from exc
    return _send(request, data, f"nettpatrulje-{op.slug}")


@agency_member_required
def examples(request: HttpRequest) -> HttpResponse:
    can_add = request.user.has_perm("reports.add_notableexample")
    if not (can_add or request.user.has_perm("reports.view_reports")):
        raise PermissionDenied
    from nettpatrulje.patrols.models import Operation

    operations = Operation.objects.visible_to(request.user)
    message = None
    message_id = request.POST.get("message") or request.GET.get("message")
    if message_id:
        message = get_visible_or_404(
            Message.objects.select_related("channel"), request.user, pk=message_id
        )
    initial = {
        "text": message.redacted_text if message else "",
        "occurred_on": message.sent_at.date() if message else timezone.localdate(),
        "message": message.pk if message else None,
    }
    form = ExampleForm(request.POST or None, initial=initial)
    form.fields["operation"].choices = [("", "—")] + [(o.pk, o.name) for o in operations]
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            op = operations.filter(pk=form.cleaned_data["operation"]).first()
            services.example_create(
                actor=request.user,
                text=form.cleaned_data["text"],
                message=message,
                operation=op,
                occurred_on=form.cleaned_data["occurred_on"],
                ip=_ip(request),
            )
            flash.success(request, _("The example was saved."))
            return redirect("reports:examples")
    items = NotableExample.objects.visible_to(request.user).select_related(
        "operation", "chosen_by"
    )[:200]
    return render(
        request,
        "reports/examples.html",
        {"form": form, "items": items, "can_add": can_add, "message": message},
    )


@require_POST
@agency_member_required
def example_delete(request: HttpRequest) -> HttpResponse:
    example = get_visible_or_404(NotableExample, request.user, pk=request.POST.get("example"))
    services.example_delete(actor=request.user, example=example, ip=_ip(request))
    flash.success(request, _("The example was removed."))
    return redirect("reports:examples")

"""Two-factor set-up and verification, and the user's own API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from nettpatrulje.accounts import two_factor
from nettpatrulje.accounts.models import ApiToken
from nettpatrulje.accounts.services import api_token_create, api_token_revoke
from nettpatrulje.audit.services import audit_log
from nettpatrulje.lib.http import client_ip

TOKEN_LIFETIMES = {"30": 30, "90": 90, "365": 365}


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else "/"


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if two_factor.has_confirmed_device(request.user) and not request.user.is_verified():
        return redirect(f"/account/2fa/verify?next={_next(request)}")
    device = two_factor.totp_pending(request.user)
    if request.method == "POST":
        codes = two_factor.totp_confirm(
            user=request.user,
            device=device,
            code=request.POST.get("code", ""),
            ip=client_ip(request),
        )
        if codes is not None:
            otp_login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)}
            )
        messages.error(
            request, _("That code is not right. Check the time on your phone and try again.")
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr": two_factor.qr_svg(device),
            "secret": two_factor.secret_base32(device),
            "next": _next(request),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        device = two_factor.verify_any(request.user, request.POST.get("code", ""))
        if device is not None:
            otp_login(request, device)
            audit_log(
                action="auth.2fa_verified",
                actor=request.user,
                agency_id=request.user.agency_id,
                ip=client_ip(request),
                detail={"method": device.__class__.__name__},
            )
            return redirect(_next(request))
        audit_log(
            action="auth.2fa_failed",
            actor=request.user,
            agency_id=request.user.agency_id,
            ip=client_ip(request),
        )
        messages.error(request, _("That code is not right."))
    return render(request, "accounts/two_factor_verify.html", {"next": _next(request)})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request, "accounts/api_tokens.html", {"tokens": tokens, "lifetimes": TOKEN_LIFETIMES}
    )


@require_POST
@login_required
def api_token_new(request: HttpRequest) -> HttpResponse:
    if request.user.agency_id is None:
        return redirect("api-tokens")
    days = TOKEN_LIFETIMES.get(request.POST.get("lifetime", "90"), 90)
    name = (request.POST.get("name") or "").strip()[:100] or _("API token")
    token, raw = api_token_create(
        user=request.user, name=name, expires_at=timezone.now() + timedelta(days=days)
    )
    audit_log(
        action="auth.api_token_created",
        actor=request.user,
        agency_id=request.user.agency_id,
        ip=client_ip(request),
        detail={"token": token.prefix, "days": days},
    )
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": tokens, "lifetimes": TOKEN_LIFETIMES, "new_token": raw},
    )


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=request.user, pk=token_id)
    api_token_revoke(token=token)
    audit_log(
        action="auth.api_token_revoked",
        actor=request.user,
        agency_id=request.user.agency_id,
        ip=client_ip(request),
        detail={"token": token.prefix},
    )
    return redirect("api-tokens")

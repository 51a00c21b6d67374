from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """Use the signed-in user's own language and time zone for every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in self.languages:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            tz = user.timezone or (user.agency.timezone if user.agency_id else "")
            if tz:
                timezone.activate(tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _is_background(request: HttpRequest) -> bool:
    # htmx polling (GET with HX-Request) keeps a page fresh; it is not the officer acting.
    return request.method == "GET" and request.headers.get("HX-Request") == "true"


def _to_login_or_page(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class SessionInactivityMiddleware:
    """Ends the session after SESSION_INACTIVITY_SECONDS without the user doing anything.

    The last activity is recorded to the minute: writing it on every page saved
    the session (a database write) on every request an officer makes. A session
    therefore ends up to a minute early, never late."""

    RESOLUTION = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get("last_activity")
            if last is not None and now - last > settings.SESSION_INACTIVITY_SECONDS:
                logout(request)
                return _to_login_or_page(request, f"{reverse('login')}?expired=1")
            if last is None or (not _is_background(request) and now - last >= self.RESOLUTION):
                request.session["last_activity"] = now
        return self.get_response(request)


TWO_FACTOR_EXEMPT = (
    "/login/",
    "/logout/",
    "/account/2fa/",
    "/static/",
    "/webhooks/",
    "/api/",
    "/healthz",
    "/metrics",
    "/widget/",
    "/i18n/",
    "/favicon.ico",
)


class TwoFactorRequiredMiddleware:
    """Every page needs a second factor once signed in: set one up, or verify it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(TWO_FACTOR_EXEMPT)
        ):
            from nettpatrulje.accounts.two_factor import has_confirmed_device

            name = "two-factor-verify" if has_confirmed_device(user) else "two-factor-setup"
            return _to_login_or_page(
                request, f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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

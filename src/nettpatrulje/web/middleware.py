from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerErrorCountMiddleware:
    """Outermost, so it also sees the 500 Django makes of an exception below it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 500:
            from nettpatrulje.web.metrics import server_error_count

            server_error_count(response.status_code)
        return response

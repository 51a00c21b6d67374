from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy documented in docs/operations.md, REMOTE_ADDR is
    # the proxy; it sets X-Real-IP. We never trust a client-set X-Forwarded-For.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None

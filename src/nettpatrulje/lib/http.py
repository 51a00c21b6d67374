from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy documented in docs/operations.md, REMOTE_ADDR is
    # the proxy; it sets X-Real-IP. We never trust a client-set X-Forwarded-For.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def json_body(body: bytes) -> Any:
    """The JSON document in a request body. Raises ValueError unless the body is
    JSON in UTF-8, the only encoding JSON may use between systems (RFC 8259):
    `json.loads` on bytes would also take UTF-16 and UTF-32, and a body nested
    deeper than Python's recursion limit is refused rather than raised."""
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None

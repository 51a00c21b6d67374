from __future__ import annotations

import json
import ssl
from functools import cache
from typing import Any

import httpx
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


@cache
def _tls_context() -> ssl.SSLContext:
    # What httpx builds for every new Client, the CA bundle read and parsed:
    # 20 to 50 ms of CPU, which was a third of a busy worker's time when each
    # reply sent made a new client. Built once per process; an SSLContext is
    # shared safely between threads and connections.
    return httpx.create_ssl_context()


def platform_client(
    *, timeout: float, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """An HTTP client for calls to a platform's API (Meta, Discord, Twitch):
    certificates verified against the CA bundle httpx uses (certifi, or
    SSL_CERT_FILE / SSL_CERT_DIR), set up once per process."""
    return httpx.Client(timeout=timeout, transport=transport, verify=_tls_context())

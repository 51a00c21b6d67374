"""A fixed-window rate limit per client address, kept in Django's cache.

With the default local-memory cache the limit is per process; configure a
shared cache (Redis, see docs/operations.md) to make it per deployment."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from nettpatrulje.lib.http import client_ip


def hit(scope: str, key: str, *, limit: int, window: int = 60) -> int | None:
    """Count one hit; returns the seconds to wait when over the limit, else None."""
    slot = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{slot}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        return window - int(time.time()) % window or 1
    return None


def rate_limited(scope: str, setting: str) -> Callable:
    """Refuse with 429 and Retry-After when a source sends more than
    settings.<setting> requests a minute to this endpoint."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            wait = hit(scope, client_ip(request) or "unknown", limit=getattr(settings, setting))
            if wait is not None:
                response = JsonResponse({"error": "too many requests"}, status=429)
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

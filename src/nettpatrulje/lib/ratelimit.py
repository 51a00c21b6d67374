"""A rate limit per client, kept in Django's cache.

With the default local-memory cache the limit is per process; configure a
shared cache (Redis, see docs/operations.md) to make it per deployment."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from nettpatrulje.lib.http import client_ip


def hit(scope: str, key: str, *, limit: int, window: int = 60) -> int | None:
    """Count one hit; returns the seconds to wait when over the limit, else None.

    A sliding window: the hits of this fixed window, plus those of the one
    before weighted by how much of it still lies in the last `window`
    seconds. Fixed windows alone let a client send twice the limit across a
    boundary (the limit at the end of one minute, again at the start of the
    next), and a refused hit became allowed whenever a minute turned. A
    refused hit is not counted: a client that waits as told gets in.

    The cache's `incr` must be atomic and keep the key's expiry: Redis, or
    the default local memory (per process)."""
    now = time.time()
    slot = int(now // window)
    cache_key = f"rl:{scope}:{key}:{slot}"
    # Kept for two windows: the next one still weighs it.
    cache.add(cache_key, 0, timeout=2 * window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=2 * window + 1)
        count = 1
    elapsed = now - slot * window
    previous = cache.get(f"rl:{scope}:{key}:{slot - 1}", 0)
    if count + previous * (1 - elapsed / window) <= limit:
        return None
    cache.decr(cache_key)
    return retry_after(
        limit=limit, window=window, elapsed=elapsed, current=count - 1, previous=previous
    )


def retry_after(*, limit: int, window: int, elapsed: float, current: int, previous: int) -> int:
    """Seconds until one more hit fits, if nothing else arrives meanwhile."""
    room = limit - 1 - current  # what the previous window's weight may still take
    if room >= 0 and previous:
        # Within this window, as the previous one slides away.
        wait = window * (1 - room / previous) - elapsed
        if wait <= window - elapsed:
            return max(1, math.ceil(wait))
    # In the next window this one is the previous: wait until its weight fits.
    later = window * (1 - (limit - 1) / current) if current > limit - 1 else 0.0
    return max(1, math.ceil(window - elapsed + later))


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

from __future__ import annotations

import pytest
from django.core.cache import cache

from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db


def test_flood_from_one_address_is_refused_with_retry_after(client, channel, settings):
    cache.clear()
    settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 3
    payload = envelope("PAGE1", text_event("U1", "PAGE1", "hei"))
    statuses = [signed_post(client, payload).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = signed_post(client, payload)
    assert 1 <= int(r["Retry-After"]) <= 120  # a sliding window: up to two
    # Another address is not affected.
    assert signed_post(client, payload, REMOTE_ADDR="10.1.2.3").status_code == 200
    cache.clear()

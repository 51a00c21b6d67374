"""The rate limit is a sliding window: turning a minute does not reset it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from nettpatrulje.lib import ratelimit


@pytest.fixture
def clock(monkeypatch):
    now = [6_000_000.0]  # the start of a 60 s window
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    cache.clear()
    yield now
    cache.clear()


def _hits(n: int) -> list[int | None]:
    return [ratelimit.hit("test", "1.2.3.4", limit=3, window=60) for _ in range(n)]


def test_the_limit_holds_across_a_window_boundary(clock):
    clock[0] += 59.5
    assert _hits(3) == [None, None, None]
    clock[0] += 1  # a new fixed window: the three hits still count
    wait = _hits(1)[0]
    assert wait is not None and 1 <= wait <= 60


def test_the_previous_window_counts_less_as_it_slides_away(clock):
    assert _hits(3) == [None, None, None]
    clock[0] += 60 + 45  # three quarters of the last 60 s lie in the new window
    # 3 x 0.25 of the old ones, plus the new ones: room for two more.
    hits = _hits(3)
    assert hits[:2] == [None, None] and hits[2] is not None


def test_two_windows_later_the_slate_is_clean(clock):
    assert _hits(4)[3] is not None
    clock[0] += 120
    assert _hits(3) == [None, None, None]


def test_other_clients_and_scopes_are_counted_apart(clock):
    assert _hits(3) == [None, None, None]
    assert ratelimit.hit("test", "5.6.7.8", limit=3, window=60) is None
    assert ratelimit.hit("other", "1.2.3.4", limit=3, window=60) is None


def test_retry_after_is_when_one_more_hit_fits(clock):
    ten = [ratelimit.hit("test", "1.2.3.4", limit=10, window=60) for _ in range(10)]
    assert ten == [None] * 10
    clock[0] += 30
    wait = ratelimit.hit("test", "1.2.3.4", limit=10, window=60)
    # The ten still weigh fully until the minute turns, then decay: 10 x 0.9 + 1 fits at 66 s.
    assert wait == 36
    clock[0] += wait - 1
    assert ratelimit.hit("test", "1.2.3.4", limit=10, window=60) is not None
    clock[0] += 1
    assert ratelimit.hit("test", "1.2.3.4", limit=10, window=60) is None


def test_refused_hits_are_not_counted(clock):
    assert _hits(3) == [None, None, None]
    refused = _hits(50)
    assert all(wait is not None for wait in refused)
    clock[0] += refused[-1]  # a client that waits as it is told gets in
    assert _hits(1) == [None]

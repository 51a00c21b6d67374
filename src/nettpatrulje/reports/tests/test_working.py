from datetime import UTC, datetime

from nettpatrulje.reports.sources.base import minute_bucket
from nettpatrulje.reports.working import working_day_seconds, working_seconds

WEEKDAYS = {d: [["09:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


def test_friday_evening_to_monday_morning_is_thirty_working_minutes():
    # Oslo in January is UTC+1: Fri 16:00 local = 15:00Z, Mon 09:30 local = 08:30Z.
    assert (
        working_seconds(utc(2026, 1, 9, 15), utc(2026, 1, 12, 8, 30), WEEKDAYS, "Europe/Oslo")
        == 1800
    )


def test_across_the_end_of_summer_time():
    # Fri 23 Oct 2026 14:00 CEST (12:00Z) to Mon 26 Oct 10:00 CET (09:00Z): clocks went
    # back on Sunday. One working hour on Friday, one on Monday.
    start, end = utc(2026, 10, 23, 12), utc(2026, 10, 26, 9)
    assert (end - start).total_seconds() == 69 * 3600
    assert working_seconds(start, end, WEEKDAYS, "Europe/Oslo") == 7200


def test_across_the_start_of_summer_time_in_helsinki():
    # Helsinki: Fri 27 Mar 2026 14:30 EET (12:30Z) to Mon 30 Mar 09:15 EEST (06:15Z).
    assert (
        working_seconds(
            utc(2026, 3, 27, 12, 30), utc(2026, 3, 30, 6, 15), WEEKDAYS, "Europe/Helsinki"
        )
        == 45 * 60
    )


def test_within_one_day_and_outside_hours():
    assert working_seconds(utc(2026, 1, 7, 9), utc(2026, 1, 7, 10), WEEKDAYS, "Europe/Oslo") == 3600
    # Saturday only: nothing.
    assert working_seconds(utc(2026, 1, 10, 9), utc(2026, 1, 10, 13), WEEKDAYS, "Europe/Oslo") == 0


def test_no_opening_hours_means_always_open():
    assert working_seconds(utc(2026, 1, 10, 9), utc(2026, 1, 10, 13), {}, "Europe/Oslo") == 4 * 3600
    assert working_day_seconds({}) == 86400
    assert working_day_seconds(WEEKDAYS) == 6 * 3600


def test_buckets():
    assert minute_bucket(30 * 60) == 30
    assert minute_bucket(119 * 60 + 59) == 119
    assert minute_bucket(123 * 60) == 120
    assert minute_bucket(500 * 60) == 480
    assert minute_bucket(3000 * 60) == 2880

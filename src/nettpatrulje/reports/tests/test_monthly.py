"""Monthly roll-ups: always the sums of the daily rows, and a period read as
whole months plus the days around them gives the same figures as its days."""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from nettpatrulje.inbox.services import conversation_assign
from nettpatrulje.reports import selectors
from nettpatrulje.reports.models import DailyFigure, MonthlyFigure
from nettpatrulje.reports.rollups import rollups_rebuild
from nettpatrulje.reports.tests.conftest import make_conversation, refresh, utc
from nettpatrulje.testing.factories import UserFactory

KEY = ("agency_id", "source", "metric", "channel_id", "platform", "country", "category")
KEY += ("level", "officer_id", "operation_id", "peer_id", "bucket")


def monthly_from_daily() -> dict[tuple, tuple]:
    sums: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0])
    for row in DailyFigure.objects.values_list("day", *KEY, "count", "total", "within"):
        acc = sums[(row[0].replace(day=1), *row[1:-3])]
        acc[0] += row[-3]
        acc[1] += row[-2]
        acc[2] += row[-1]
    return {k: (c, round(t, 3), w) for k, (c, t, w) in sums.items()}


def monthly_rows() -> dict[tuple, tuple]:
    rows = MonthlyFigure.objects.values_list("day", *KEY, "count", "total", "within")
    out = {}
    for row in rows:
        key = tuple(row[:-3])
        assert key not in out, f"two monthly rows for {key}"
        out[key] = (row[-3], round(row[-2], 3), row[-1])
    return out


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    length=st.integers(min_value=0, max_value=800),
)
def test_period_parts_cover_the_period_exactly(start, length):
    end = start + timedelta(days=length)
    parts = selectors.period_parts(start, end)
    assert parts[0][1] == start
    assert parts[-1][2] == end
    for (_m, _f, last), (_m2, first, _l) in pairwise(parts):
        assert first == last + timedelta(days=1)
    for model, first, last in parts:
        assert first <= last
        if model is MonthlyFigure:
            assert first.day == 1
            assert (last + timedelta(days=1)).day == 1
    # Whole months never come from the daily rows.
    daily_days = sum(((last - first).days + 1) for m, first, last in parts if m is DailyFigure)
    assert daily_days <= 60


def test_period_parts_examples():
    assert selectors.period_parts(date(2026, 10, 1), date(2026, 10, 31)) == [
        (MonthlyFigure, date(2026, 10, 1), date(2026, 10, 31))
    ]
    assert selectors.period_parts(date(2026, 10, 5), date(2026, 10, 20)) == [
        (DailyFigure, date(2026, 10, 5), date(2026, 10, 20))
    ]
    assert selectors.period_parts(date(2025, 12, 1), date(2026, 11, 29)) == [
        (MonthlyFigure, date(2025, 12, 1), date(2026, 10, 31)),
        (DailyFigure, date(2026, 11, 1), date(2026, 11, 29)),
    ]
    assert selectors.period_parts(date(2026, 9, 30), date(2026, 11, 2)) == [
        (DailyFigure, date(2026, 9, 30), date(2026, 9, 30)),
        (MonthlyFigure, date(2026, 10, 1), date(2026, 10, 31)),
        (DailyFigure, date(2026, 11, 1), date(2026, 11, 2)),
    ]


@pytest.mark.django_db
def test_monthly_rows_are_the_sums_of_the_daily_rows(dataset):
    assert monthly_rows() == monthly_from_daily() != {}
    # An update recomputes its day, and the month with it.
    supervisor = UserFactory(agency=dataset["agency"], username="sup", roles=["supervisor"])
    conversation_assign(
        conversation=dataset["conversations"][2], actor=supervisor, assignee=dataset["kari"]
    )
    refresh()
    assert monthly_rows() == monthly_from_daily()
    assert MonthlyFigure.objects.filter(metric="conv_officer").aggregate(n=Sum("count"))["n"] == 3
    before = monthly_rows()
    MonthlyFigure.objects.all().delete()
    rollups_rebuild()
    assert monthly_rows() == before


@pytest.mark.django_db
def test_the_migration_sums_an_installations_existing_days(dataset):
    from django.apps import apps

    migration = importlib.import_module("nettpatrulje.reports.migrations.0004_monthly_figures")
    expected = monthly_rows()
    MonthlyFigure.objects.all().delete()
    migration.sum_existing_days(apps, None)
    assert monthly_rows() == expected


@pytest.mark.django_db
def test_a_period_across_months_equals_its_days(dataset):
    analyst = UserFactory(agency=dataset["agency"], username="ana", roles=["analyst"])
    messenger, instagram = dataset["messenger"], dataset["instagram"]
    make_conversation(messenger, created=utc(2026, 9, 30, 10), answered=utc(2026, 9, 30, 11))
    make_conversation(instagram, created=utc(2026, 9, 14, 10), category="fraud")
    make_conversation(instagram, created=utc(2026, 11, 2, 10), answered=utc(2026, 11, 2, 10, 5))
    make_conversation(messenger, created=utc(2026, 11, 20, 10), urgency="high")
    refresh()
    period = selectors.Filters(start=date(2026, 9, 30), end=date(2026, 11, 2))

    def daily(metric, **kw):
        qs = DailyFigure.objects.filter(
            agency=dataset["agency"], metric=metric, day__gte=period.start, day__lte=period.end
        )
        return qs.filter(**kw).aggregate(n=Sum("count"))["n"] or 0

    key = selectors.key_figures(analyst, period)
    assert key["messages_in"] == daily("msg_in") == 9  # 7 in October, one each side
    assert key["conversations"] == daily("conv") == 7
    assert key["messages_out"] == daily("msg_out") == 6
    only_ig = replace(period, channel=instagram.pk)
    assert selectors.key_figures(analyst, only_ig)["messages_in"] == 4
    fr = selectors.first_response(analyst, period)["overall"]
    assert fr.count == daily("frt") == 6
    # Working minutes: 30, 120, 10, 480 in October, 60 and 5 around it.
    assert (fr.median_minutes, fr.p90_minutes) == (30, 480)
    monthly, _weekly = selectors.messages_over_time(analyst, period)
    assert monthly.labels == ["2026-09", "2026-10", "2026-11"]
    assert [sum(col) for col in zip(*monthly.series.values(), strict=True)] == [1, 7, 1]

from datetime import date

import pytest

from nettpatrulje.inbox.services import conversation_assign
from nettpatrulje.reports import selectors
from nettpatrulje.reports.models import DailyFigure, DirtyDay
from nettpatrulje.reports.rollups import rollups_rebuild
from nettpatrulje.reports.tests.conftest import make_conversation, refresh, snapshot, utc
from nettpatrulje.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

OCTOBER = selectors.Filters.month(2026, 10)


@pytest.fixture
def analyst(dataset):
    return UserFactory(agency=dataset["agency"], username="ana", roles=["analyst"])


def test_message_counts_by_month_channel_category_and_urgency(dataset, analyst):
    key = selectors.key_figures(analyst, OCTOBER)
    assert key == {"messages_in": 7, "messages_out": 4, "messages_auto": 0, "conversations": 5}
    monthly, _weekly = selectors.messages_over_time(analyst, OCTOBER)
    assert monthly.labels == ["2026-10"]
    assert sorted(monthly.series.values()) == [[3], [4]]
    cats, urg = selectors.categories_over_time(analyst, OCTOBER)
    assert cats.series["Fraud"] == [4]  # 3 in the high conversation + 1 unanswered
    assert cats.series["Question"] == [2]
    assert cats.series["Self-harm/suicide risk"] == [1]
    assert urg.series["High"] == [3]
    assert urg.series["Emergency"] == [1]
    assert urg.series["Normal"] == [3]


def test_first_response_in_working_time(dataset, analyst):
    fr = selectors.first_response(analyst, OCTOBER)
    overall = fr["overall"]
    # Working minutes: 30, 120, 10, 480 -> nearest-rank median 30, p90 480.
    assert overall.count == 4
    assert overall.median_minutes == 30
    assert overall.p90_minutes == 480
    assert overall.mean_minutes == pytest.approx((30 + 120 + 10 + 480) / 4)
    # Within target: the 30 min normal and the 10 min emergency.
    assert overall.within_pct == 50.0
    urgent, normal = fr["by_group"].values()
    assert (urgent.count, urgent.within_pct) == (2, 50.0)
    assert (normal.count, normal.median_minutes, normal.within_pct) == (2, 30, 50.0)


def test_days_are_local_days(oslo):
    from nettpatrulje.testing.factories import ChannelFactory

    channel = ChannelFactory(agency=oslo, platform="messenger", account_id="PX")
    # 31 Oct 2026 23:30Z is 1 Nov 00:30 in Oslo (CET).
    make_conversation(channel, created=utc(2026, 10, 31, 23, 30))
    refresh()
    days = set(DailyFigure.objects.filter(metric="msg_in").values_list("day", flat=True))
    assert days == {date(2026, 11, 1)}


def test_backlog_and_workload(dataset, analyst):
    data = selectors.backlog(analyst, OCTOBER, now=utc(2026, 10, 9, 8, 30))
    assert data["waiting"] == 1
    assert data["open"] == 5  # none closed in the data set
    rows = selectors.workload(analyst, OCTOBER)
    kari = next(r for r in rows if r["officer"] == "kari")
    assert (kari["replies"], kari["assigned"], kari["open"]) == (2, 2, 2)


def test_rebuilt_equals_incremental(dataset):
    incremental = snapshot()
    assert incremental
    assert not DirtyDay.objects.exists()
    DailyFigure.objects.all().delete()
    rollups_rebuild()
    assert snapshot() == incremental


def test_changes_mark_days_and_refresh_is_idempotent(dataset, analyst):
    conv = dataset["conversations"][2]
    supervisor = UserFactory(agency=dataset["agency"], username="sup", roles=["supervisor"])
    conversation_assign(conversation=conv, actor=supervisor, assignee=dataset["kari"])
    assert DirtyDay.objects.filter(source="conversations", day=date(2026, 10, 6)).exists()
    refresh()
    assert refresh() == 0
    rows = selectors.workload(analyst, OCTOBER)
    assert next(r for r in rows if r["officer"] == "kari")["assigned"] == 3
    before = snapshot()
    rollups_rebuild()
    assert snapshot() == before


def test_other_agencies_figures_are_invisible(dataset, helsinki):
    from nettpatrulje.testing.factories import ChannelFactory

    channel = ChannelFactory(agency=helsinki, platform="messenger", account_id="FI1")
    make_conversation(channel, created=utc(2026, 10, 6, 8))
    refresh()
    finn = UserFactory(agency=helsinki, username="finn", roles=["analyst"])
    assert selectors.key_figures(finn, OCTOBER)["messages_in"] == 1
    ana = UserFactory(agency=dataset["agency"], username="ana2", roles=["analyst"])
    assert selectors.key_figures(ana, OCTOBER)["messages_in"] == 7


def test_filters(dataset, analyst):
    from dataclasses import replace

    only_ig = replace(OCTOBER, channel=dataset["instagram"].pk)
    assert selectors.key_figures(analyst, only_ig)["messages_in"] == 3
    fraud = replace(OCTOBER, category="fraud")
    assert selectors.key_figures(analyst, fraud)["conversations"] == 2
    assert (
        selectors.key_figures(analyst, replace(OCTOBER, platform="instagram"))["messages_in"] == 3
    )
    assert selectors.key_figures(analyst, replace(OCTOBER, country="FI"))["messages_in"] == 0


def test_percentile_from_histogram():
    assert selectors.percentile_from_histogram([], 0.5) is None
    assert selectors.percentile_from_histogram([(10, 1), (30, 1), (120, 1), (480, 1)], 0.5) == 30
    assert selectors.percentile_from_histogram([(10, 9), (60, 1)], 0.9) == 10
    assert selectors.percentile_from_histogram([(10, 8), (60, 2)], 0.9) == 60

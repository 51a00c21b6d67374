"""The marks' upsert: a day is inserted once, marked again it keeps its first mark
and its claim and only moves `marked_at`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from nettpatrulje.reports.models import DirtyDay
from nettpatrulje.reports.rollups import _write_marks

pytestmark = pytest.mark.django_db


def test_marks_insert_then_only_move_marked_at(agency):
    day = date(2026, 3, 1)
    _write_marks({(agency.pk, "messages", day), (agency.pk, "conversations", day)})
    first = {d.source: d for d in DirtyDay.objects.all()}
    assert set(first) == {"messages", "conversations"}
    for d in first.values():
        assert d.agency_id == agency.pk and d.day == day
        assert d.first_marked_at == d.marked_at and d.claimed_until is None
    claim = timezone.now() + timedelta(minutes=5)
    DirtyDay.objects.filter(source="messages").update(claimed_until=claim)

    _write_marks({(agency.pk, "messages", day), (agency.pk, "messages", day + timedelta(1))})
    again = {(d.source, d.day): d for d in DirtyDay.objects.all()}
    assert len(again) == 3
    marked = again[("messages", day)]
    assert marked.pk == first["messages"].pk
    assert marked.first_marked_at == first["messages"].first_marked_at
    assert marked.marked_at > first["messages"].marked_at
    assert marked.claimed_until == claim
    untouched = again[("conversations", day)]
    assert untouched.marked_at == first["conversations"].marked_at


def test_no_marks_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        _write_marks(set())

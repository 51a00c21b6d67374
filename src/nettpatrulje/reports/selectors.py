"""Figures for dashboards and reports, read from the daily roll-ups and scoped
to the viewer (`DailyFigure.objects.visible_to`). Live figures (the backlog
right now, who holds which conversations) come from the inbox, scoped the same
way. Nothing here returns message text or personal data."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import CharField, Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Cast, Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nettpatrulje.accounts.models import Agency, User
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.inbox.models import Conversation
from nettpatrulje.reports.models import DailyFigure, MonthlyFigure, NotableExample
from nettpatrulje.reports.working import day_bounds, local_day
from nettpatrulje.triage.labels import CATEGORY_LABELS, URGENCY_LABELS

# Which filters apply to which metric: a filter on a dimension a metric does not
# have (the channel of a patrol session) leaves that metric alone.
METRIC_DIMENSIONS: dict[str, set[str]] = {
    "msg_in": {"channel", "platform", "category", "country"},
    "msg_out": {"channel", "platform", "country"},
    "msg_auto": {"channel", "platform", "country"},
    "conv": {"channel", "platform", "category", "country"},
    "frt": {"channel", "platform", "category", "country"},
    "conv_officer": {"country"},
    "patrol_session": {"platform", "country", "operation"},
    "interaction": {"platform", "country", "operation"},
    "incident": {"platform", "country", "operation"},
    "guidance": {"country", "operation"},
    "guidance_rt": {"country", "operation"},
    "referral": {"platform", "country", "operation"},
}
SMALL_COUNT = 5


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    channel: int | None = None
    category: str = ""
    country: str = ""
    platform: str = ""
    operation: int | None = None

    @classmethod
    def last_months(cls, months: int = 12, today: date | None = None, **kw: Any) -> Filters:
        today = today or timezone.localdate()
        first = date(today.year, today.month, 1)
        for _i in range(months - 1):
            first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
        return cls(start=first, end=today, **kw)

    @classmethod
    def month(cls, year: int, month: int, **kw: Any) -> Filters:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return cls(start=date(year, month, 1), end=nxt - timedelta(days=1), **kw)

    def as_query(self) -> dict[str, str]:
        out = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name in ("channel", "category", "country", "platform", "operation"):
            value = getattr(self, name)
            if value:
                out[name] = str(value)
        return out


# Metrics that only ever hold the agency's own rows: scoped by a plain equality,
# so the (agency, metric, day) index answers them.
OWN_METRICS = frozenset({"msg_in", "msg_out", "msg_auto", "conv", "frt", "conv_officer"})


def figures(
    user: Any, filters: Filters, metric: str, model: type = DailyFigure
) -> QuerySet[DailyFigure]:
    if metric in OWN_METRICS:
        base = model.objects.filter(agency_id=getattr(user, "agency_id", None) or 0)
    else:
        base = model.objects.visible_to(user)
    qs = base.filter(metric=metric, day__gte=filters.start, day__lte=filters.end)
    dims = METRIC_DIMENSIONS.get(metric, set())
    if filters.channel and "channel" in dims:
        qs = qs.filter(channel_id=filters.channel)
    if filters.category and "category" in dims:
        qs = qs.filter(category=filters.category)
    if filters.country and "country" in dims:
        qs = qs.filter(country=filters.country)
    if filters.platform and "platform" in dims:
        qs = qs.filter(platform=filters.platform)
    if filters.operation and "operation" in dims:
        qs = qs.filter(operation_id=filters.operation)
    return qs


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def period_parts(start: date, end: date) -> list[tuple[type, date, date]]:
    """The period as (model, first day, last day) pieces: the whole months inside
    it from the monthly rows, the days before and after them from the daily
    rows. Sums over the pieces equal sums over the days."""
    first_full = start if start.day == 1 else _next_month(start)
    after_full = (
        _next_month(end) if _next_month(end) - timedelta(days=1) == end else end.replace(day=1)
    )
    if first_full >= after_full:
        return [(DailyFigure, start, end)]
    parts: list[tuple[type, date, date]] = []
    if start < first_full:
        parts.append((DailyFigure, start, first_full - timedelta(days=1)))
    parts.append((MonthlyFigure, first_full, after_full - timedelta(days=1)))
    if after_full <= end:
        parts.append((DailyFigure, after_full, end))
    return parts


def grouped(
    user: Any,
    filters: Filters,
    metric: str,
    fields: tuple[str, ...] = (),
    sums: tuple[str, ...] = ("count",),
    *,
    where: Q | None = None,
    by_month: bool = False,
) -> list[tuple]:
    """Rows of (month if by_month, *fields, *sums) over the period, summed in the
    database per piece of `period_parts` and merged here: a year costs eleven
    months of monthly rows and a few weeks of daily ones."""
    cols = (("t",) if by_month else ()) + fields
    parts = period_parts(filters.start, filters.end)
    # Pieces never share a month, so rows by month (or of a single piece) are
    # already final; only other groupings are summed across pieces.
    final = by_month or len(parts) == 1
    out: list[tuple] = []
    merged: dict[tuple, list] = {}
    for model, first, last in parts:
        qs = figures(user, replace(filters, start=first, end=last), metric, model)
        if where is not None:
            qs = qs.filter(where)
        sums_of = {f"s{i}": Sum(c) for i, c in enumerate(sums)}
        if not cols:
            agg = qs.aggregate(**sums_of)
            rows = [tuple(agg[k] for k in sums_of)] if agg["s0"] is not None else []
        else:
            if by_month:
                qs = qs.annotate(t=_month_of_day())
            rows = qs.values_list(*cols).annotate(**sums_of).order_by()
        if final:
            out.extend(rows)
            continue
        for row in rows:
            key, values = tuple(row[: len(cols)]), row[len(cols) :]
            acc = merged.setdefault(key, [0] * len(sums))
            for i, v in enumerate(values):
                acc[i] += v or 0
    return out if final else [(*k, *v) for k, v in merged.items()]


def total(user: Any, filters: Filters, metric: str, where: Q | None = None) -> int:
    rows = grouped(user, filters, metric, where=where)
    return rows[0][0] if rows else 0


# --- Helpers ---------------------------------------------------------------------------------


def month_key(d: date) -> str:
    return f"{d.year}-{d.month:02d}"


def week_key(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def months_between(start: date, end: date) -> list[str]:
    out, d = [], date(start.year, start.month, 1)
    while d <= end:
        out.append(month_key(d))
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def weeks_between(start: date, end: date) -> list[str]:
    out, d = [], start - timedelta(days=start.weekday())
    while d <= end:
        out.append(week_key(d))
        d += timedelta(days=7)
    return out


def percentile_from_histogram(buckets: list[tuple[int, int]], q: float) -> int | None:
    """Nearest-rank percentile (in minutes, the bucket's lower bound) of a
    histogram [(bucket, count)]."""
    n = sum(c for _, c in buckets)
    if n == 0:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for bucket, count in sorted(buckets):
        seen += count
        if seen >= rank:
            return bucket
    return None


def suppress(value: int | None) -> int | str | None:
    """Counts from 1 to 4 are shown as "<5" in reports that leave the agency."""
    if value is not None and 0 < value < SMALL_COUNT:
        return f"<{SMALL_COUNT}"
    return value


@dataclass
class Series:
    """Rows of a chart and its table: labels along the x-axis, one list of values
    per series."""

    title: str
    labels: list[str]
    series: dict[str, list[float]] = field(default_factory=dict)
    unit: str = ""

    @property
    def rows(self) -> list[tuple[str, list[float], float]]:
        names = list(self.series)
        return [
            (label, [self.series[n][i] for n in names], sum(self.series[n][i] for n in names))
            for i, label in enumerate(self.labels)
        ]

    @property
    def totals(self) -> list[float]:
        return [sum(v) for v in self.series.values()]

    @property
    def is_empty(self) -> bool:
        return not any(any(v) for v in self.series.values())


def _month_of_day():
    # "YYYY-MM" from the stored date with the database's own string functions
    # (SQLite keeps dates as ISO text; PostgreSQL casts them the same way):
    # grouping by month in SQL keeps a year to a few hundred result rows.
    return Substr(Cast("day", output_field=CharField()), 1, 7)


def _by_time(qs, dim: str, keys: list[str], key_of, value: str = "count", names=None) -> dict:
    grouped: dict[str, list[float]] = {}
    index = {k: i for i, k in enumerate(keys)}
    if key_of is month_key:
        rows = qs.annotate(t=_month_of_day()).values("t", *([dim] if dim else []))
    else:
        rows = qs.annotate(t=F("day")).values("t", *([dim] if dim else []))
    for row in rows.annotate(v=Sum(value)).order_by():
        name = row[dim] if dim else ""
        label = names(name) if names else (name or _("(none)"))
        grouped.setdefault(label, [0] * len(keys))
        t = row["t"]
        i = index.get(t if isinstance(t, str) else key_of(t))
        if i is not None:
            grouped[label][i] += row["v"] or 0
    return dict(sorted(grouped.items(), key=lambda kv: -sum(kv[1])))


def _channel_names() -> dict[int, str]:
    # Short labels for legends and table heads: the channel's name, else its platform.
    return {
        pk: (name or platform_name(platform))[:32]
        for pk, name, platform in Channel.objects.values_list("pk", "name", "platform")
    }


def platform_name(value: str) -> str:
    from nettpatrulje.patrols.models import GamePlatform

    names = {**dict(GamePlatform.choices), **dict(Platform.choices)}
    return str(names.get(value, value or _("(none)")))


def urgency_name(value: str) -> str:
    # The triage labels are lazy: translated in the language active when called.
    return str(URGENCY_LABELS.get(value, value or _("(not triaged)")))


def category_name(value: str) -> str:
    return str(CATEGORY_LABELS.get(value, (value or _("(none)")).replace("_", " ")))


# --- Sections ---------------------------------------------------------------------------------


class MonthRows:
    """Inbound messages grouped once by (month, channel, category, urgency): the
    monthly charts, the category and urgency charts and the total all come from
    these few hundred rows instead of one scan each."""

    def __init__(self, user: Any, filters: Filters) -> None:
        self.months = months_between(filters.start, filters.end)
        self.rows = grouped(
            user, filters, "msg_in", ("channel_id", "category", "level"), by_month=True
        )

    @property
    def total(self) -> int:
        return sum(r[4] for r in self.rows)

    def by(self, column: int, names=None) -> dict[str, list[float]]:
        index = {k: i for i, k in enumerate(self.months)}
        out: dict[str, list[float]] = {}
        labels: dict[Any, str] = {}  # names() translates: once per name, not per row
        for row in self.rows:
            name = row[column]
            label = labels.get(name)
            if label is None:
                label = labels[name] = names(name) if names else (name or _("(none)"))
            values = out.setdefault(label, [0] * len(self.months))
            i = index.get(row[0])
            if i is not None:
                values[i] += row[4] or 0
        return dict(sorted(out.items(), key=lambda kv: -sum(kv[1])))


def messages_over_time(
    user: Any, filters: Filters, rows: MonthRows | None = None
) -> tuple[Series, Series]:
    qs = figures(user, filters, "msg_in")
    rows = rows or MonthRows(user, filters)
    channels = _channel_names()

    none = _("(none)")

    def cname(pk):
        return channels.get(pk, none)

    months = months_between(filters.start, filters.end)
    weeks = weeks_between(max(filters.start, filters.end - timedelta(weeks=12)), filters.end)
    monthly = Series(_("Messages received per month, by channel"), months)
    monthly.series = rows.by(1, names=cname)
    weekly = Series(_("Messages received per week, by channel"), weeks)
    weekly.series = _by_time(
        qs.filter(day__gte=filters.end - timedelta(weeks=12)),
        "channel_id",
        weeks,
        week_key,
        names=cname,
    )
    return monthly, weekly


def categories_over_time(
    user: Any, filters: Filters, rows: MonthRows | None = None
) -> tuple[Series, Series]:
    rows = rows or MonthRows(user, filters)
    months = rows.months
    cats = Series(_("Messages received per month, by category"), months)
    cats.series = rows.by(2, names=category_name)
    urg = Series(_("Messages received per month, by urgency"), months)
    order = ["emergency", "high", "normal", "low", ""]
    by = rows.by(3, names=lambda v: v)
    urg.series = {urgency_name(k): by[k] for k in order if k in by}
    urg.series.update({urgency_name(k): v for k, v in by.items() if k not in order})
    return cats, urg


@dataclass
class ResponseFigures:
    count: int
    median_minutes: int | None
    p90_minutes: int | None
    within_pct: float | None
    mean_minutes: float | None


def _response_of(rows: list[tuple]) -> ResponseFigures:
    """rows: (bucket, count, within, total)."""
    n = sum(r[1] for r in rows)
    within = sum(r[2] for r in rows)
    total = sum(r[3] for r in rows)
    buckets = [(r[0], r[1]) for r in rows]
    return ResponseFigures(
        count=n,
        median_minutes=percentile_from_histogram(buckets, 0.5),
        p90_minutes=percentile_from_histogram(buckets, 0.9),
        within_pct=round(100.0 * within / n, 1) if n else None,
        mean_minutes=round(total / n / 60, 1) if n else None,
    )


def first_response(user: Any, filters: Filters) -> dict:
    # One grouped query (month, urgency, bucket); everything else in Python.
    rows = grouped(
        user, filters, "frt", ("level", "bucket"), ("count", "within", "total"), by_month=True
    )
    urgent = {"emergency", "high"}
    overall = _response_of([(b, n, w, s) for _m, _lv, b, n, w, s in rows])
    by_group = {
        _("Emergency and high (target 1 working hour)"): _response_of(
            [(b, n, w, s) for _m, lv, b, n, w, s in rows if lv in urgent]
        ),
        _("Normal and low (target 1 working day)"): _response_of(
            [(b, n, w, s) for _m, lv, b, n, w, s in rows if lv not in urgent]
        ),
    }
    months = months_between(filters.start, filters.end)
    by_month: dict[str, list[tuple]] = defaultdict(list)
    for m, _lv, b, n, w, sec in rows:
        by_month[m].append((b, n, w, sec))
    per_month = {m: _response_of(by_month.get(m, [])) for m in months}
    series = Series(_("First response in working minutes, per month"), months, unit="min")
    series.series = {
        _("Median"): [per_month[m].median_minutes or 0 for m in months],
        _("90th percentile"): [per_month[m].p90_minutes or 0 for m in months],
    }
    pct = Series(_("Answered within target, per cent"), months, unit="%")
    pct.series = {_("Within target"): [per_month[m].within_pct or 0 for m in months]}
    return {"overall": overall, "by_group": by_group, "series": series, "within": pct}


def live_filtered(qs: QuerySet, filters: Filters) -> QuerySet:
    """The dashboard's filters on case data read live (conversations, messages):
    both carry a channel, a category and an agency."""
    if filters.channel:
        qs = qs.filter(channel_id=filters.channel)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.platform:
        qs = qs.filter(channel__platform=filters.platform)
    if filters.country:
        qs = qs.filter(agency__country=filters.country)
    return qs


BACKLOG_AGES = [
    (timedelta(hours=1), "< 1 h"),
    (timedelta(hours=4), "1–4 h"),
    (timedelta(hours=24), "4–24 h"),
    (timedelta(days=3), "1–3 d"),
    (timedelta(days=7), "3–7 d"),
    (None, "> 7 d"),
]


def backlog(user: Any, filters: Filters, now=None) -> dict:
    """Conversations not closed right now, by how long the contact has waited
    (or since the conversation opened, when we answered last)."""
    now = now or timezone.now()
    # Written as the partial index's condition so both databases use it.
    qs = live_filtered(
        Conversation.objects.visible_to(user).exclude(status=Conversation.Status.CLOSED), filters
    )
    labels = [label for _limit, label in BACKLOG_AGES]
    # One query: a conditional count per age band and state, whatever the backlog's size.
    aggregates = {}
    lower = None
    for i, (limit, _label) in enumerate(BACKLOG_AGES):
        for kind, field_name in (("w", "waiting_since"), ("a", "created_at")):
            cond = Q(waiting_since__isnull=kind == "a")
            if limit is not None:
                cond &= Q(**{f"{field_name}__gt": now - limit})
            if lower is not None:
                cond &= Q(**{f"{field_name}__lte": now - lower})
            # A non-null column of the partial index: counted without reading rows.
            aggregates[f"{kind}{i}"] = Count("agency", filter=cond)
        lower = limit
    counts = qs.aggregate(**aggregates, oldest=Min("waiting_since"))
    waiting = {label: counts[f"w{i}"] for i, label in enumerate(labels)}
    answered = {label: counts[f"a{i}"] for i, label in enumerate(labels)}
    series = Series(_("Open conversations by age"), labels)
    series.series = {
        _("Waiting for us"): [waiting[k] for k in labels],
        _("Answered, still open"): [answered[k] for k in labels],
    }
    oldest = counts["oldest"]
    return {
        "series": series,
        "open": sum(waiting.values()) + sum(answered.values()),
        "waiting": sum(waiting.values()),
        "oldest_waiting_hours": round((now - oldest).total_seconds() / 3600, 1) if oldest else None,
    }


def workload(user: Any, filters: Filters) -> list[dict]:
    """Per officer of the viewer's agency: replies sent and conversations
    assigned in the period, and conversations assigned and open now."""
    out: dict[int, dict] = {}
    own = Q(agency_id=user.agency_id, officer__isnull=False)
    for officer, n in grouped(user, filters, "msg_out", ("officer",), where=own):
        out.setdefault(officer, {"replies": 0, "assigned": 0, "open": 0})["replies"] = n
    for officer, n in grouped(user, filters, "conv_officer", ("officer",), where=own):
        out.setdefault(officer, {"replies": 0, "assigned": 0, "open": 0})["assigned"] = n
    for officer, n in (
        Conversation.objects.visible_to(user)
        .exclude(status=Conversation.Status.CLOSED)
        .exclude(assignee=None)
        .values_list("assignee")
        .annotate(n=Count("*"))
        .order_by()
    ):
        out.setdefault(officer, {"replies": 0, "assigned": 0, "open": 0})["open"] = n
    names = {
        u.pk: u.display_name for u in User.objects.filter(pk__in=out, agency_id=user.agency_id)
    }
    rows = [{"officer": names[k], **v} for k, v in out.items() if k in names]
    return sorted(rows, key=lambda r: (-r["replies"], r["officer"]))


def _country_names() -> dict[int, str]:
    return dict(Agency.objects.values_list("pk", "country"))


def patrols(user: Any, filters: Filters) -> dict:
    table: dict[tuple[str, str], dict] = {}

    def row(country, platform):
        return table.setdefault(
            (country, platform), {"sessions": 0, "hours": 0.0, "interactions": 0, "incidents": 0}
        )

    dims = ("country", "platform")
    for country, platform, n, seconds in grouped(
        user, filters, "patrol_session", dims, ("count", "total")
    ):
        r = row(country, platform)
        r["sessions"] += n
        r["hours"] += (seconds or 0) / 3600
    for country, platform, n in grouped(user, filters, "interaction", dims):
        row(country, platform)["interactions"] += n
    for country, platform, n in grouped(user, filters, "incident", dims):
        row(country, platform)["incidents"] += n
    rows = [
        {"country": c, "platform": platform_name(p), **v, "hours": round(v["hours"], 1)}
        for (c, p), v in sorted(table.items())
    ]
    by_platform: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_country: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        by_platform[r["platform"]][0] += r["hours"]
        by_platform[r["platform"]][1] += r["interactions"]
        by_country[r["country"]][0] += r["hours"]
        by_country[r["country"]][1] += r["interactions"]
    platforms = sorted(by_platform)
    chart = Series(_("Patrol hours and interactions by platform"), platforms)
    chart.series = {
        _("Hours"): [round(by_platform[p][0], 1) for p in platforms],
        _("Interactions"): [by_platform[p][1] for p in platforms],
    }
    countries = sorted(by_country)
    country_chart = Series(_("Patrol hours and interactions by country"), countries)
    country_chart.series = {
        _("Hours"): [round(by_country[c][0], 1) for c in countries],
        _("Interactions"): [by_country[c][1] for c in countries],
    }
    totals = {
        "sessions": sum(r["sessions"] for r in rows),
        "hours": round(sum(r["hours"] for r in rows), 1),
        "interactions": sum(r["interactions"] for r in rows),
        "incidents": sum(r["incidents"] for r in rows),
    }
    return {"rows": rows, "chart": chart, "country_chart": country_chart, "totals": totals}


def guidance(user: Any, filters: Filters) -> dict:
    agency_id = getattr(user, "agency_id", None)
    asked = received = open_ = everything = 0
    for asker, peer, state, n in grouped(
        user, filters, "guidance", ("agency_id", "peer_id", "level")
    ):
        everything += n
        asked += n if asker == agency_id else 0
        received += n if peer == agency_id else 0
        open_ += n if peer == agency_id and state == "open" else 0
    times = grouped(
        user, filters, "guidance_rt", ("peer_id", "bucket"), ("count", "within", "total")
    )
    return {
        "asked": asked,
        "received": received,
        "open": open_,
        "all": everything,
        "times_received": _response_of([r[1:] for r in times if r[0] == agency_id]),
        "times_all": _response_of([r[1:] for r in times]),
    }


def referrals(user: Any, filters: Filters) -> list[dict]:
    countries = _country_names()
    agency_id = getattr(user, "agency_id", None)
    rows: dict[tuple[str, str], dict] = {}
    for agency, peer, state, n in grouped(
        user, filters, "referral", ("agency_id", "peer_id", "level")
    ):
        if agency == agency_id:
            key = (_("Sent"), countries.get(peer, ""))
        elif peer == agency_id:
            key = (_("Received"), countries.get(agency, ""))
        else:
            key = (countries.get(agency, ""), countries.get(peer, ""))
        r = rows.setdefault(key, {"sent": 0, "accepted": 0, "declined": 0, "total": 0})
        r[state if state in r else "sent"] += n
        r["total"] += n
    return [{"direction": k[0], "country": k[1], **v} for k, v in sorted(rows.items())]


def key_figures(user: Any, filters: Filters, rows: MonthRows | None = None) -> dict:
    return {
        "messages_in": rows.total if rows is not None else total(user, filters, "msg_in"),
        "messages_out": total(user, filters, "msg_out"),
        "messages_auto": total(user, filters, "msg_auto"),
        "conversations": total(user, filters, "conv"),
    }


def filter_choices(user: Any) -> dict:
    from nettpatrulje.patrols.models import GamePlatform, Operation

    channels = Channel.objects.visible_to(user).order_by("platform", "name")
    led = Operation.objects.filter(lead_id=user.agency_id)
    countries = sorted(
        set(Agency.objects.filter(operations__in=led).values_list("country", flat=True))
        | {user.agency.country}
    )
    from nettpatrulje.triage.constants import CATEGORIES

    platforms = [(v, str(n)) for v, n in Platform.choices] + [
        (v, str(n)) for v, n in GamePlatform.choices if v not in dict(Platform.choices)
    ]
    return {
        "channels": channels,
        "categories": [(c, category_name(c)) for c in CATEGORIES],
        "countries": countries,
        "platforms": platforms,
        "operations": Operation.objects.visible_to(user).filter(lead_id=user.agency_id),
    }


def dashboard(user: Any, filters: Filters) -> dict:
    rows = MonthRows(user, filters)
    monthly, weekly = messages_over_time(user, filters, rows)
    cats, urg = categories_over_time(user, filters, rows)
    return {
        "filters": filters,
        "key": key_figures(user, filters, rows),
        "monthly": monthly,
        "weekly": weekly,
        "categories": cats,
        "urgency": urg,
        "response": first_response(user, filters),
        "backlog": backlog(user, filters),
        "workload": workload(user, filters),
        "patrols": patrols(user, filters),
        "guidance": guidance(user, filters),
        "referrals": referrals(user, filters),
    }


# --- Reports ----------------------------------------------------------------------------------


def notable_examples(user: Any, *, start: date, end: date, operation=None) -> QuerySet:
    qs = NotableExample.objects.visible_to(user).filter(
        occurred_on__gte=start, occurred_on__lte=end
    )
    if operation is not None:
        qs = NotableExample.objects.filter(operation=operation)
        if operation.lead_id != user.agency_id:
            qs = qs.filter(agency_id=user.agency_id)
    return qs


def _articles_used(sessions_q: Q, guidance_q: Q, language: str) -> list[dict]:
    """Library articles linked to the period's patrol sessions and guidance answers:
    the methods actually used."""
    try:
        from nettpatrulje.library.models import Article
    except ImportError:  # pragma: no cover - library app absent
        return []
    articles = (
        Article.objects.filter(
            Q(sessions__in=_sessions(sessions_q)) | Q(guidance__in=_guidance(guidance_q))
        )
        .distinct()
        .prefetch_related("translations", "tags")
    )
    out = []
    for a in articles:
        t = a.translation(language)
        out.append({"title": t.title if t else a.slug, "tags": [str(tag) for tag in a.tags.all()]})
    return sorted(out, key=lambda r: r["title"])


def _sessions(q: Q):
    from nettpatrulje.patrols.models import PatrolSession

    return PatrolSession.objects.filter(q).values("pk")


def _guidance(q: Q):
    from nettpatrulje.patrols.models import GuidanceRequest

    return GuidanceRequest.objects.filter(q).values("pk")


def monthly_report(
    user: Any, *, agency: Agency, year: int, month: int, language: str = "en"
) -> dict:
    # Chart titles and labels are translated here, not when the PDF is drawn.
    with translation.override(language):
        return _monthly_report(user, agency=agency, year=year, month=month, language=language)


def _monthly_report(user: Any, *, agency: Agency, year: int, month: int, language: str) -> dict:
    filters = Filters.month(year, month)
    data = dashboard(user, filters)
    start_dt, _e = day_bounds(filters.start, agency.timezone)
    _s, end_dt = day_bounds(filters.end, agency.timezone)
    data.update(
        kind="monthly",
        agency=agency,
        title=_("Monthly report"),
        period=month_key(filters.start),
        generated_at=timezone.now(),
        by_channel=_by_channel(user, filters),
        examples=list(notable_examples(user, start=filters.start, end=filters.end)),
        articles=_articles_used(
            Q(agency=agency, started_at__gte=start_dt, started_at__lt=end_dt),
            Q(addressed_to=agency, asked_at__gte=start_dt, asked_at__lt=end_dt),
            language,
        ),
        suppressed=False,
    )
    return data


def _by_channel(user: Any, filters: Filters) -> list[dict]:
    channels = {c.pk: c for c in Channel.objects.all()}
    rows: dict[int, dict] = {}
    for metric, key in (("msg_in", "received"), ("msg_out", "sent"), ("conv", "conversations")):
        for ch, n in grouped(user, filters, metric, ("channel_id",)):
            r = rows.setdefault(ch, {"received": 0, "sent": 0, "conversations": 0})
            r[key] += n
    out = []
    for ch, r in rows.items():
        c = channels.get(ch)
        out.append(
            {
                "channel": str(c) if c else _("(none)"),
                "platform": platform_name(c.platform) if c else "",
                "country": c.agency.country if c else "",
                **r,
            }
        )
    return sorted(out, key=lambda r: -r["received"])


class NotLead(Exception):
    """Only the lead agency of an operation gets its cross-country report."""


def operation_report(user: Any, *, operation, language: str = "en") -> dict:
    """Aggregated figures of an operation across every participating country:
    no personal data, no handles, no text but the anonymised examples, and
    counts below five shown as "<5"."""
    with translation.override(language):
        return _operation_report(user, operation=operation, language=language)


def _operation_report(user: Any, *, operation, language: str) -> dict:
    if operation.lead_id != getattr(user, "agency_id", None):
        raise NotLead
    filters = Filters(start=operation.starts_on, end=operation.ends_on, operation=operation.pk)
    pat = patrols(user, filters)
    guid = guidance(user, filters)
    refs = referrals(user, filters)
    # Messages received by the participating agencies during the operation, per
    # country and platform (aggregates of the roll-ups only).
    agencies = [operation.lead_id, *operation.participants.values_list("pk", flat=True)]
    msg_rows: dict[tuple[str, str], int] = defaultdict(int)
    for country, platform, n in (
        DailyFigure.objects.filter(
            agency_id__in=agencies,
            metric="msg_in",
            day__gte=operation.starts_on,
            day__lte=operation.ends_on,
        )
        .values_list("country", "platform")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        msg_rows[(country, platform_name(platform))] += n
    messages = [
        {"country": c, "platform": p, "received": suppress(n)}
        for (c, p), n in sorted(msg_rows.items())
    ]
    for r in pat["rows"]:
        for k in ("sessions", "interactions", "incidents"):
            r[k] = suppress(r[k])
    pat["totals"] = {k: suppress(v) if k != "hours" else v for k, v in pat["totals"].items()}
    for r in refs:
        for k in ("sent", "accepted", "declined", "total"):
            r[k] = suppress(r[k])
    rt = guid["times_all"]
    guidance_out = {
        "count": suppress(guid["all"]),
        "answered": suppress(rt.count),
        # A median over fewer than five answers would describe individuals.
        "median_minutes": rt.median_minutes if rt.count >= SMALL_COUNT else None,
        "p90_minutes": rt.p90_minutes if rt.count >= SMALL_COUNT else None,
        "within_pct": rt.within_pct if rt.count >= SMALL_COUNT else None,
    }
    return {
        "kind": "operation",
        "operation": operation,
        "title": operation.name,
        "period": f"{operation.starts_on.isoformat()} – {operation.ends_on.isoformat()}",
        "generated_at": timezone.now(),
        "countries": sorted(
            set(Agency.objects.filter(pk__in=agencies).values_list("country", flat=True))
        ),
        "patrols": pat,
        "guidance": guidance_out,
        "referrals": refs,
        "messages": messages,
        "examples": list(
            notable_examples(
                user, start=operation.starts_on, end=operation.ends_on, operation=operation
            )
        ),
        "articles": _articles_used(Q(operation=operation), Q(operation=operation), language),
        "suppressed": True,
    }


def today_for(agency: Agency) -> date:
    return local_day(timezone.now(), agency.timezone)


@dataclass(frozen=True)
class AgencyViewer:
    """Who a report is for when it is made from the command line: the agency's
    scope, without a person."""

    agency: Agency
    is_authenticated: bool = True

    @property
    def agency_id(self) -> int:
        return self.agency.pk

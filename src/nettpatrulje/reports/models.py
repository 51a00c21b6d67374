"""Daily roll-ups of the figures dashboards and reports show, the days waiting
to be recomputed, and notable examples chosen by officers.

`DailyFigure` is one row per (agency, local day, source, metric, dimensions):
a count, a sum (seconds or hours) and how many were within target. Dashboards
read only these rows, so a year answers in a few hundred rows regardless of
how many messages lie behind them. Rows are derived data: `nettpatrulje
rollups --rebuild` recreates them from the sources.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet


class FigureQuerySet(models.QuerySet):
    def visible_to(self, user) -> FigureQuerySet:
        """The user's agency's own figures, figures that name it as the other party
        (guidance addressed to it, referrals sent to it), and every agency's figures
        for operations it leads (aggregates only: these rows hold no content)."""
        agency_id = getattr(user, "agency_id", None)
        if not getattr(user, "is_authenticated", False) or agency_id is None:
            return self.none()
        return self.filter(
            Q(agency_id=agency_id) | Q(peer_id=agency_id) | Q(operation__lead_id=agency_id)
        )


class Figure(models.Model):
    """The columns daily and monthly roll-up rows share."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # local to the agency
    source = models.CharField(max_length=20)
    metric = models.CharField(max_length=30)
    # Dimensions; empty / null when they do not apply to the metric.
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    platform = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    category = models.CharField(max_length=30, blank=True, default="")
    # Urgency of messages, concern of interactions, state of referrals and guidance.
    level = models.CharField(max_length=12, blank=True, default="")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    operation = models.ForeignKey(
        "patrols.Operation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The other agency: guidance addressed to it, referral sent to it.
    peer = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Histogram bucket (lower bound in minutes) of a duration metric; -1 otherwise.
    bucket = models.IntegerField(default=-1)
    count = models.BigIntegerField(default=0)
    total = models.FloatField(default=0.0)
    within = models.BigIntegerField(default=0)

    objects = FigureQuerySet.as_manager()

    class Meta:
        abstract = True


# Dashboards' grouped sums are answered from an index on these alone.
COVERING_FIELDS = [
    "agency",
    "metric",
    "day",
    "level",
    "bucket",
    "channel",
    "category",
    "platform",
    "country",
    "count",
    "within",
    "total",
]


class DailyFigure(Figure):
    """One row per (agency, local day, source, metric, dimensions)."""

    class Meta:
        indexes = [
            models.Index(fields=["agency", "source", "day"], name="figure_agency_day"),
            # Covering: dashboards' grouped sums are answered from the index alone.
            models.Index(
                fields=COVERING_FIELDS,
                name="figure_agency_metric_cover",
            ),
            # Cross-agency metrics (operations, guidance, referrals) are scoped by an OR.
            models.Index(fields=["metric", "day"], name="figure_metric_day"),
            models.Index(fields=["operation", "day"], name="figure_operation_day"),
            models.Index(fields=["peer", "day"], name="figure_peer_day"),
        ]
        permissions = [
            ("view_reports", "Can see dashboards and reports"),
            ("export_reports", "Can export conversations and messages"),
            ("export_full_text", "Can export unredacted message text"),
        ]


class MonthlyFigure(Figure):
    """The daily rows of one month summed, `day` being the month's first day.
    Kept in the transaction that replaces the month's daily rows, so the two
    never disagree; a year's dashboard reads eleven months of these and the
    current month's days instead of 365 days of histogram rows."""

    class Meta:
        indexes = [
            models.Index(
                fields=COVERING_FIELDS,
                name="month_agency_metric_cover",
            ),
            models.Index(fields=["agency", "source", "day"], name="month_agency_source_day"),
            models.Index(fields=["metric", "day"], name="month_metric_day"),
            models.Index(fields=["operation", "day"], name="month_operation_day"),
            models.Index(fields=["peer", "day"], name="month_peer_day"),
        ]


class DirtyDay(models.Model):
    """A local day of one agency and source whose figures must be recomputed.
    Marked in the transaction that changed the data; claimed by one worker at a
    time; removed only if nobody marked it again while it was being computed."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)
    day = models.DateField()
    first_marked_at = models.DateTimeField(default=timezone.now)
    marked_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "source", "day"], name="dirtyday_unique")
        ]


class NotableExample(models.Model):
    """An example an officer chose for reports, rewritten without anything that
    identifies the young person (the text shown in reports is this one only)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "inbox.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    operation = models.ForeignKey(
        "patrols.Operation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(verbose_name=_("Anonymised text"))
    platform = models.CharField(max_length=20, blank=True, default="")
    category = models.CharField(max_length=30, blank=True, default="")
    occurred_on = models.DateField(default=timezone.localdate)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]

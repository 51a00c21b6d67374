from __future__ import annotations

from django import template

from nettpatrulje.reports.charts import bar_chart, line_chart
from nettpatrulje.reports.selectors import Series, suppress

register = template.Library()


@register.inclusion_tag("reports/_chart.html")
def chart(series: Series, kind: str = "bar", small_counts: bool = False) -> dict:
    """A chart with its numbers in a table beside it."""
    # Empty axes say nothing; the table beside it says "No data".
    if series.is_empty:
        svg = ""
    elif kind == "line":
        svg = line_chart(series)
    else:
        svg = bar_chart(series, stacked=kind != "grouped")
    names = list(series.series)
    rows = series.rows
    show_total = kind == "bar" and len(names) > 1
    # More series than periods (ten categories in one month): one row per series,
    # so the table fits the page's width.
    if len(names) > max(len(series.labels), 4):
        names, rows = (
            list(series.labels),
            [(name, values, sum(values)) for name, values in series.series.items()],
        )
        show_total = kind == "bar" and len(names) > 1
    if small_counts:
        rows = [(label, [suppress(v) for v in values], suppress(t)) for label, values, t in rows]
    return {
        "series": series,
        "svg": svg,
        "names": names,
        "rows": rows,
        "show_total": show_total,
    }


@register.filter
def small(value):
    """Counts below five as "<5" (reports that leave the agency)."""
    return suppress(value)


@register.filter
def minutes(value):
    if value is None:
        return "–"
    value = int(value)
    if value < 120:
        return f"{value} min"
    return f"{value // 60} h {value % 60:02d} min"

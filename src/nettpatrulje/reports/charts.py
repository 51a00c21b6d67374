"""Charts as SVG, drawn on the server: no scripts, no CDN, the same markup in the
browser and in the PDF. Colours are the Okabe–Ito palette (distinguishable with
colour-blindness and in greyscale print, helped by the value table that always
sits beside each chart)."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from nettpatrulje.reports.selectors import Series

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 58
FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"'
MAX_SERIES = 7


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return top
    return value


def _fmt(v: float) -> str:
    if abs(v) >= 10 or v == int(v):
        return f"{v:,.0f}".replace(",", " ")
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _fold(series: Series) -> list[tuple[str, list[float]]]:
    """At most MAX_SERIES series; the smallest are summed as "other"."""
    items = list(series.series.items())
    if len(items) <= MAX_SERIES:
        return items
    head, tail = items[: MAX_SERIES - 1], items[MAX_SERIES - 1 :]
    other = [sum(v[i] for _, v in tail) for i in range(len(series.labels))]
    return [*head, ("…", other)]


def _frame(parts: list[str], title: str, vmax: float, unit: str) -> None:
    plot_h = H - TOP - BOTTOM
    for i in range(5):
        v = vmax * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d5dc" '
            f'stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#333" {FONT}>{escape(_fmt(v))}</text>'
        )
    if unit:
        parts.append(
            f'<text x="4" y="{TOP - 2}" font-size="10" fill="#555" {FONT}>{escape(unit)}</text>'
        )


def _labels(parts: list[str], labels: list[str], xs: list[float]) -> None:
    every = max(1, len(labels) // 14 + (len(labels) % 14 > 0))
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every:
            continue
        parts.append(
            f'<text x="{x:.1f}" y="{H - BOTTOM + 14}" text-anchor="end" font-size="10" '
            f'fill="#333" {FONT} transform="rotate(-35 {x:.1f} {H - BOTTOM + 14})">'
            f"{escape(str(label))}</text>"
        )


LEGEND_ROW = 15


def _legend(parts: list[str], names: list[str]) -> int:
    """Legend entries in rows below the chart; returns the height added."""
    x, y, rows = LEFT, H - 8, 0
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        label = escape(str(name))[:28]
        width = 24 + 6.5 * len(label)
        if x > LEFT and x + width > W - RIGHT:
            x, y, rows = LEFT, y + LEGEND_ROW, rows + 1
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{x + 14}" y="{y}" font-size="11" fill="#222" {FONT}>{label}</text>'
        )
        x += width
    return rows * LEGEND_ROW


def _svg(parts: list[str], title: str, extra: int = 0) -> SafeString:
    body = "".join(parts)
    # Every label above is escaped.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H + extra}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def bar_chart(series: Series, *, stacked: bool = True) -> SafeString:
    """Stacked (or grouped) vertical bars, one group per label."""
    items = _fold(series)
    n = max(1, len(series.labels))
    if stacked:
        vmax = max((sum(v[i] for _, v in items) for i in range(len(series.labels))), default=0)
    else:
        vmax = max((max(v, default=0) for _, v in items), default=0)
    vmax = _nice_max(vmax)
    parts: list[str] = []
    _frame(parts, series.title, vmax, series.unit)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    xs = []
    for i in range(len(series.labels)):
        x0 = LEFT + slot * i + (slot - bar_w) / 2
        xs.append(x0 + bar_w / 2)
        base = 0.0
        for k, (_name, values) in enumerate(items):
            v = values[i]
            if not v:
                continue
            color = PALETTE[k % len(PALETTE)]
            if stacked:
                h = plot_h * v / vmax
                y = TOP + plot_h - plot_h * base / vmax - h
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{color}" stroke="#fff" stroke-width="0.5"><title>'
                    f"{escape(str(series.labels[i]))}: {escape(_fmt(v))}</title></rect>"
                )
                base += v
            else:
                w = bar_w / len(items)
                h = plot_h * v / vmax
                parts.append(
                    f'<rect x="{x0 + w * k:.1f}" y="{TOP + plot_h - h:.1f}" width="{w:.1f}" '
                    f'height="{h:.1f}" fill="{color}"/>'
                )
    _labels(parts, series.labels, xs)
    extra = _legend(parts, [name for name, _v in items])
    return _svg(parts, series.title, extra)


def line_chart(series: Series) -> SafeString:
    items = _fold(series)
    vmax = _nice_max(max((max(v, default=0) for _, v in items), default=0))
    parts: list[str] = []
    _frame(parts, series.title, vmax, series.unit)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = len(series.labels)
    step = plot_w / max(1, n - 1) if n > 1 else 0
    xs = [LEFT + step * i if n > 1 else LEFT + plot_w / 2 for i in range(n)]
    dashes = ["", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 2"']
    for k, (_name, values) in enumerate(items):
        color = PALETTE[k % len(PALETTE)]
        pts = " ".join(
            f"{x:.1f},{TOP + plot_h - plot_h * v / vmax:.1f}"
            for x, v in zip(xs, values, strict=True)
        )
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"'
            f"{dashes[k % len(dashes)]}/>"
        )
        for x, v in zip(xs, values, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{TOP + plot_h - plot_h * v / vmax:.1f}" r="2.5" '
                f'fill="{color}"/>'
            )
    _labels(parts, series.labels, xs)
    extra = _legend(parts, [name for name, _v in items])
    return _svg(parts, series.title, extra)

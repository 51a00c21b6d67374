"""Reports as HTML, PDF (WeasyPrint) and JSON, from one data dict
(`selectors.monthly_report` / `selectors.operation_report`).

The PDF is rendered from the same template as the HTML version with a print
stylesheet read from disk; WeasyPrint is given a URL fetcher that refuses
everything, so a report can never make a network request. Fonts are the
system's (DejaVu/Liberation on Debian)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from nettpatrulje.reports.selectors import Series

PRINT_CSS = Path(__file__).resolve().parent / "static" / "reports" / "print.css"


def render_html(data: dict, *, language: str, standalone_css: bool = True) -> str:
    with translation.override(language):
        return render_to_string(
            "reports/report.html",
            {**data, "language": language, "link_css": standalone_css},
        )


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"reports fetch nothing: {url}")


def render_pdf(data: dict, *, language: str) -> bytes:
    from weasyprint import CSS, HTML

    html = render_html(data, language=language, standalone_css=False)
    return HTML(string=html, url_fetcher=_refuse, base_url="/").write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS), url_fetcher=_refuse)]
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Series):
        return {
            "title": str(value.title),
            "unit": value.unit,
            "labels": value.labels,
            "series": {str(k): v for k, v in value.series.items()},
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "_meta"):  # a model instance: its name only
        return str(value)
    return str(value)


def render_json(data: dict, *, language: str) -> str:
    with translation.override(language):
        out = {k: _plain(v) for k, v in data.items() if k not in {"filters"}}
        if "examples" in data:
            out["examples"] = [
                {
                    "text": e.text,
                    "platform": e.platform,
                    "category": e.category,
                    "date": e.occurred_on.isoformat(),
                }
                for e in data["examples"]
            ]
        return json.dumps(out, ensure_ascii=False, indent=2)


def render(data: dict, *, fmt: str, language: str) -> tuple[bytes, str]:
    """(body, content type) of a report in `fmt` (pdf, html or json)."""
    if fmt == "pdf":
        return render_pdf(data, language=language), "application/pdf"
    if fmt == "json":
        return render_json(data, language=language).encode(), "application/json"
    return render_html(data, language=language).encode(), "text/html; charset=utf-8"

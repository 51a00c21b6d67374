"""Dashboard and monthly PDF timings over a year of generated messages.

    .venv/bin/python bench/dashboard.py [--messages 1000000] [--months 12]
        [--database-url postgresql://postgres@127.0.0.1:5432/np_bench] [--var DIR]
        [--repeat 7] [--json out.json]

Uses a scratch SQLite database in --var (default: a new temporary directory)
or the PostgreSQL database given by --database-url (create it first with
`createdb np_bench`; it is migrated, and filled only if it holds fewer
messages than asked). Generates the messages with `nettpatrulje generate`
(bulk inserts, roll-ups rebuilt), then measures, in this process:

- the dashboard page over the last 12 months as an analyst sees it (the whole
  Django view through the test client: selectors, SVG charts, template),
  median and max of --repeat runs after one warm-up;
- the same with a channel filter;
- the monthly report of the last full month as PDF (WeasyPrint).

Targets: dashboard < 300 ms, monthly PDF < 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--var", default="")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    var = args.var or tempfile.mkdtemp(prefix="np-bench-")
    os.environ["NETTPATRULJE_VAR_DIR"] = var
    os.environ.setdefault("NETTPATRULJE_REQUIRE_2FA", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "nettpatrulje.settings"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from nettpatrulje.accounts.models import Agency
    from nettpatrulje.accounts.services import agency_create, user_create
    from nettpatrulje.inbox.models import Message
    from nettpatrulje.reports import pdf, selectors
    from nettpatrulje.reports.generate import generate

    call_command("migrate", verbosity=0)
    agency = Agency.objects.filter(slug="bench").first() or agency_create(
        slug="bench", name="Benchmark police", country="NO", language="en"
    )
    have = Message.objects.filter(agency=agency).count()
    gen_seconds = None
    if have < args.messages:
        t0 = time.perf_counter()
        generate(messages=args.messages - have, months=args.months, agency_slug="bench")
        gen_seconds = round(time.perf_counter() - t0, 1)
    analyst = user_create(username="bench-analyst", agency=agency, roles=["analyst"])
    client = Client()
    client.force_login(analyst)

    cpu: dict[str, list[float]] = {}

    def timed(url: str) -> list[float]:
        client.get(url)  # warm-up
        out = []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            resp = client.get(url)
            out.append((time.perf_counter() - t0) * 1000)
            # CPU time of this process: on SQLite that includes the database's own
            # work, and unlike wall time it does not grow when the machine is busy.
            cpu.setdefault(url, []).append((time.process_time() - c0) * 1000)
            assert resp.status_code == 200, resp.status_code
        return out

    load_before = os.getloadavg()[0]
    dash = timed("/reports/")
    channel = agency.channels.order_by("pk").first()
    filtered_url = f"/reports/?channel={channel.pk}&category=fraud"
    dash_filtered = timed(filtered_url)
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    t0 = time.perf_counter()
    data = selectors.monthly_report(
        selectors.AgencyViewer(agency), agency=agency, year=year, month=month, language="en"
    )
    body, _ = pdf.render(data, fmt="pdf", language="en")
    pdf_seconds = time.perf_counter() - t0
    from nettpatrulje.reports.models import DailyFigure

    result = {
        "database": connection.vendor,
        "messages": Message.objects.filter(agency=agency).count(),
        "rollup_rows": DailyFigure.objects.filter(agency=agency).count(),
        "generation_seconds": gen_seconds,
        "dashboard_ms_median": round(statistics.median(dash), 1),
        "dashboard_ms_max": round(max(dash), 1),
        "dashboard_filtered_ms_median": round(statistics.median(dash_filtered), 1),
        "dashboard_cpu_ms_median": round(statistics.median(cpu["/reports/"]), 1),
        "dashboard_filtered_cpu_ms_median": round(statistics.median(cpu[filtered_url]), 1),
        "load_average_1min": round(load_before, 2),
        "monthly_pdf_seconds": round(pdf_seconds, 2),
        "monthly_pdf_bytes": len(body),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

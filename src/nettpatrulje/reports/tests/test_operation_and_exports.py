import csv
import io
import json
from datetime import date, timedelta

import pytest

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.patrols.models import Interaction, Operation, PatrolSession
from nettpatrulje.reports import selectors
from nettpatrulje.reports.pdf import render
from nettpatrulje.reports.services import example_create
from nettpatrulje.reports.tests.conftest import make_conversation, refresh, utc
from nettpatrulje.testing.factories import AgencyFactory, ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(oslo, helsinki):
    op = Operation.objects.create(
        name="Action week",
        slug="action-week",
        lead=oslo,
        starts_on=date(2026, 10, 5),
        ends_on=date(2026, 10, 9),
    )
    op.participants.set([helsinki])
    no = UserFactory(agency=oslo, username="no-officer", roles=["officer"])
    fi = UserFactory(agency=helsinki, username="fi-officer", roles=["officer"])
    # Norway: 6 sessions of 2 h with 1 interaction each; Finland: 3 sessions of 1 h.
    for i in range(6):
        s = PatrolSession.objects.create(
            agency=oslo,
            officer=no,
            operation=op,
            platform="fortnite",
            started_at=utc(2026, 10, 5 + i % 5, 10),
            ended_at=utc(2026, 10, 5 + i % 5, 12),
        )
        Interaction.objects.create(agency=oslo, session=s, handle=f"kid{i}", at=s.started_at)
    for i in range(3):
        PatrolSession.objects.create(
            agency=helsinki,
            officer=fi,
            operation=op,
            platform="roblox",
            started_at=utc(2026, 10, 6 + i, 9),
            ended_at=utc(2026, 10, 6 + i, 10),
        )
    refresh()
    return op


def test_lead_sees_every_country_with_small_counts_suppressed(week, oslo):
    lead = UserFactory(agency=oslo, username="coord", roles=["coordinator"])
    data = selectors.operation_report(lead, operation=week)
    rows = {r["country"]: r for r in data["patrols"]["rows"]}
    assert rows["NO"]["sessions"] == 6
    assert rows["NO"]["hours"] == 12.0
    assert rows["NO"]["interactions"] == 6
    assert rows["FI"]["sessions"] == "<5"
    assert rows["FI"]["hours"] == 3.0
    assert rows["FI"]["interactions"] == 0
    assert data["patrols"]["totals"]["sessions"] == 9
    body, _ = render(data, fmt="json", language="en")
    text = body.decode()
    assert "kid" not in text and "no-officer" not in text and "fi-officer" not in text
    html, _ = render(data, fmt="html", language="en")
    assert b"&lt;5" in html and b"kid0" not in html


def test_only_the_lead_gets_the_operation_report(week, helsinki, client):
    fi = UserFactory(agency=helsinki, username="fi-coord", roles=["coordinator"])
    with pytest.raises(selectors.NotLead):
        selectors.operation_report(fi, operation=week)
    client.force_login(fi)
    assert client.get(f"/reports/operations/{week.pk}/?format=json").status_code == 403
    # A participant's own dashboard shows its own sessions, not the lead's.
    flt = selectors.Filters.month(2026, 10)
    assert selectors.patrols(fi, flt)["totals"]["sessions"] == 3


def test_operation_pdf(week, oslo):
    lead = UserFactory(agency=oslo, username="coord2", roles=["coordinator"])
    example_create(
        actor=UserFactory(agency=oslo, username="sup", roles=["supervisor"]),
        text="A boy asked how to report a scam.",
        operation=week,
        occurred_on=date(2026, 10, 6),
    )
    data = selectors.operation_report(lead, operation=week)
    assert [e.text for e in data["examples"]] == ["A boy asked how to report a scam."]
    pdf, content_type = render(data, fmt="pdf", language="nb")
    assert content_type == "application/pdf" and pdf.startswith(b"%PDF")


@pytest.fixture
def two_agencies(oslo, helsinki):
    ch_no = ChannelFactory(agency=oslo, platform="messenger", account_id="NO1")
    ch_fi = ChannelFactory(agency=helsinki, platform="messenger", account_id="FI1")
    make_conversation(ch_no, created=utc(2026, 10, 6, 8), answered=utc(2026, 10, 6, 9))
    make_conversation(ch_fi, created=utc(2026, 10, 6, 8))
    refresh()
    return oslo, helsinki


def test_exports_respect_scope_redact_and_are_audited(two_agencies, client):
    oslo, _ = two_agencies
    analyst = UserFactory(agency=oslo, username="ana", roles=["analyst"])
    client.force_login(analyst)
    q = "start=2026-10-01&end=2026-10-31"
    resp = client.get(f"/reports/export/?kind=conversations&format=csv&{q}")
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode())))
    assert [r["country"] for r in rows] == ["NO"]
    assert set(rows[0]) >= {
        "id",
        "channel",
        "created",
        "first_response",
        "closed",
        "category",
        "urgency",
        "assignee",
        "labels",
        "country",
    }
    resp = client.get(f"/reports/export/?kind=messages&format=json&{q}")
    messages = json.loads(b"".join(resp.streaming_content))
    assert {m["country"] for m in messages} == {"NO"}
    assert "Jeg heter [NAVN]" in [m["text"] for m in messages]
    assert "Jeg heter Kari" not in [m["text"] for m in messages]
    assert client.get(f"/reports/export/?kind=messages&format=csv&text=full&{q}").status_code == 403
    records = AuditRecord.objects.filter(action="report.export", agency=oslo)
    assert records.count() == 2
    assert records.last().detail["kind"] == "messages"


def test_supervisor_may_export_full_text(two_agencies, client):
    oslo, _ = two_agencies
    client.force_login(UserFactory(agency=oslo, username="sup", roles=["supervisor"]))
    resp = client.get(
        "/reports/export/?kind=messages&format=csv&text=full&start=2026-10-01&end=2026-10-31"
    )
    assert "Jeg heter Kari" in b"".join(resp.streaming_content).decode()


def test_dashboard_and_monthly_report_views(two_agencies, client):
    oslo, _ = two_agencies
    client.force_login(UserFactory(agency=oslo, username="ana", roles=["analyst"]))
    resp = client.get("/reports/?start=2026-01-01&end=2026-11-30")
    assert resp.status_code == 200
    assert b"<svg" in resp.content
    resp = client.get("/reports/monthly/?month=2026-10&format=json")
    data = json.loads(resp.content)
    assert data["key"]["messages_in"] == 1
    officer = UserFactory(agency=oslo, username="ola2", roles=["officer"])
    client.force_login(officer)
    assert client.get("/reports/").status_code == 403


def test_monthly_command_and_generator(oslo, tmp_path):
    from django.core.management import call_command

    from nettpatrulje.reports.generate import generate
    from nettpatrulje.reports.models import DailyFigure

    counts = generate(messages=400, months=2, agency_slug=oslo.slug, now=utc(2026, 11, 1))
    assert counts["messages"] == 400
    total = sum(
        DailyFigure.objects.filter(agency=oslo, source="messages").values_list("count", flat=True)
    )
    assert total == 400
    out = tmp_path / "m.html"
    call_command(
        "report", "monthly", agency=oslo.slug, month="2026-10", format="html", output=str(out)
    )
    assert "Monthly report" in out.read_text()


def test_notable_examples_are_agency_scoped(oslo, helsinki):
    other = AgencyFactory(slug="x")
    sup = UserFactory(agency=oslo, username="sup3", roles=["supervisor"])
    example_create(actor=sup, text="anonymised", occurred_on=date(2026, 10, 2))
    fi = UserFactory(agency=helsinki, username="fi3", roles=["analyst"])
    assert not selectors.notable_examples(
        fi, start=date(2026, 10, 1), end=date(2026, 10, 31)
    ).exists()
    assert other.pk
    assert timedelta(0) == timedelta(0)

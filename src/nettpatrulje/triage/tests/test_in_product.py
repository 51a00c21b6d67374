"""Triage in the product: on arrival, alerts, automatic replies, corrections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nettpatrulje.inbox.models import Conversation, Message, OutboxItem
from nettpatrulje.testing.factories import UserFactory
from nettpatrulje.testing.meta import envelope, signed_post, text_event
from nettpatrulje.triage.models import EmergencyAlert, TriageCorrection

pytestmark = pytest.mark.django_db

EMERGENCY = "min venn skrev at hun skal ta livet sitt i kveld, hun har tatt masse piller"
ORDINARY = "hei, er det lov å filme folk på treningssenteret?"


def test_every_inbound_message_is_triaged_before_it_is_stored(client, channel):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", ORDINARY)))
    message = Message.objects.get()
    assert message.triaged_at and message.language in {"nb", "nn"}
    assert message.triage_explanation


def test_emergency_raises_alert_and_answers_with_112(client, channel, fake_graph):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY)))
    conversation = Conversation.objects.get()
    assert conversation.urgency == "emergency"
    assert conversation.priority == 0
    alert = EmergencyAlert.objects.get()
    assert alert.acknowledged_at is None
    auto = Message.objects.get(direction="out")
    assert auto.auto_purpose == "emergency"
    assert "112" in auto.text
    assert "ikke en nødtjeneste" in auto.text  # Norway: not an emergency service
    assert fake_graph.state.sent[0]["message"]["text"] == auto.text


def test_emergency_reply_in_the_senders_language(client, channel, fake_graph):
    signed_post(
        client,
        envelope(
            "PAGE1",
            text_event(
                "U1",
                "PAGE1",
                "Mun kaveri sano että se aikoo tappaa ittensä tänä iltana, se on ottanut pillereitä",
            ),
        ),
    )
    auto = Message.objects.get(direction="out")
    assert "soita 112" in auto.text


def test_one_emergency_reply_per_conversation_not_per_message(client, channel, fake_graph):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY)))
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY + " hjelp!!")))
    assert EmergencyAlert.objects.count() == 2
    assert Message.objects.filter(direction="out").count() == 1


def test_out_of_hours_reply_but_emergencies_still_alerted(client, channel, fake_graph):
    agency = channel.agency
    agency.opening_hours = {"mon": [["09:00", "15:00"]]}
    agency.save()
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", ORDINARY)))
    auto = Message.objects.get(direction="out")
    assert auto.auto_purpose == "out_of_hours"
    signed_post(client, envelope("PAGE1", text_event("U2", "PAGE1", EMERGENCY)))
    assert EmergencyAlert.objects.count() == 1
    assert Message.objects.filter(direction="out", auto_purpose="emergency").count() == 1


def test_opening_hours_in_agency_time_zone():
    from nettpatrulje.accounts.opening_hours import is_open

    hours = {"mon": [["09:00", "15:00"]]}
    monday_0830_utc = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 in Oslo
    assert is_open(hours, "Europe/Oslo", monday_0830_utc)
    assert not is_open(hours, "Atlantic/Reykjavik", monday_0830_utc)  # 08:30 in Reykjavik
    assert is_open({}, "Europe/Oslo", monday_0830_utc)


def test_supervisor_sees_alert_on_every_page_and_acknowledges(client, channel, fake_graph, agency):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY)))
    supervisor = UserFactory(username="kari", agency=agency, roles=["supervisor"])
    client.force_login(supervisor)
    assert b'id="alerts"' in client.get("/inbox/").content
    banner = client.get("/triage/alerts/banner").content.decode()
    assert "alert-emergency" in banner
    alert = EmergencyAlert.objects.get()
    client.post(f"/triage/alerts/{alert.pk}/ack")
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor and alert.acknowledged_at
    assert "alert-emergency" not in client.get("/triage/alerts/banner").content.decode()
    page = client.get(f"/inbox/c/{alert.conversation_id}/").content.decode()
    assert "kari" in page or supervisor.display_name in page


def test_officer_cannot_acknowledge(officer_client, channel, fake_graph, client):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY)))
    alert = EmergencyAlert.objects.get()
    assert officer_client.post(f"/triage/alerts/{alert.pk}/ack").status_code == 403


def test_correction_is_kept_and_updates_conversation(
    officer_client, officer, channel, fake_graph, client
):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", ORDINARY)))
    message = Message.objects.get(direction="in")
    officer_client.post(
        f"/triage/messages/{message.pk}/correct",
        {"language": "nb", "category": "threat_violence", "urgency": "high", "flags": ["weapon"]},
    )
    correction = TriageCorrection.objects.get()
    assert correction.corrected_by == officer
    assert correction.predicted["category"] == message.category
    assert correction.corrected == {
        "language": "nb",
        "category": "threat_violence",
        "urgency": "high",
        "flags": ["weapon"],
    }
    conversation = Conversation.objects.get()
    assert conversation.urgency == "high" and conversation.priority == 1


def test_invalid_correction_refused(officer_client, channel, client):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", ORDINARY)))
    message = Message.objects.get()
    officer_client.post(
        f"/triage/messages/{message.pk}/correct",
        {"language": "xx", "category": "other", "urgency": "low"},
    )
    assert TriageCorrection.objects.count() == 0


def test_quality_page_counts_corrections(officer_client, channel, client):
    from nettpatrulje.triage.selectors import triage_quality

    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", ORDINARY)))
    message = Message.objects.get()
    predicted = message.category
    other = "fraud" if predicted != "fraud" else "drugs"
    officer_client.post(
        f"/triage/messages/{message.pk}/correct",
        {"language": message.language, "category": other, "urgency": message.urgency},
    )
    month = triage_quality(user=officer_client.get("/inbox/").wsgi_request.user)[0]
    assert month.messages == 1 and month.corrected == 1
    rows = {r["label"]: r for r in month.rows()}
    assert rows[predicted]["precision"] == 0.0
    assert rows[other]["recall"] == 0.0
    assert officer_client.get("/triage/quality/").status_code == 200


def test_lists_show_redacted_text(officer_client, channel, client, agency):
    signed_post(
        client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY + " ring meg på 412 34 567"))
    )
    supervisor = UserFactory(username="kari", agency=agency, roles=["supervisor"])
    client.force_login(supervisor)
    banner = client.get("/triage/alerts/banner").content.decode()
    assert "412 34 567" not in banner


def test_outbox_has_auto_reply_queued_even_when_graph_down(client, channel):
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", EMERGENCY)))
    assert OutboxItem.objects.get().state in {"queued", "failed"}
    assert EmergencyAlert.objects.count() == 1

from __future__ import annotations

import pytest

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.inbox.models import Conversation, Label, Note
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def _conversation_in(channel, **fields):
    return ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        **fields,
    )


@pytest.fixture
def conversation(channel):
    c = _conversation_in(channel)
    MessageFactory(conversation=c, text="noen selger piller på snap")
    return c


def test_login_required(client):
    r = client.get("/inbox/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_login_page_and_login(client, officer):
    assert client.get("/login/").status_code == 200
    r = client.post("/login/", {"username": "ola", "password": "pw-for-tests-only"})
    assert r.status_code == 302


def test_inbox_sorted_by_priority_then_waiting(officer_client, channel):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()

    def conv(priority, waited_minutes):
        return _conversation_in(
            channel, priority=priority, waiting_since=now - timedelta(minutes=waited_minutes)
        )

    low_old = conv(3, 500)
    normal_new = conv(2, 5)
    normal_old = conv(2, 50)
    urgent = conv(0, 1)
    html = officer_client.get("/inbox/").content.decode()
    positions = [html.index(str(c.pk)) for c in (urgent, normal_old, normal_new, low_old)]
    assert positions == sorted(positions)


def test_filters(officer_client, conversation, channel, officer):
    label = Label.objects.create(agency=channel.agency, name="school")
    conversation.labels.add(label)
    other = _conversation_in(channel, status="closed")
    html = officer_client.get("/inbox/", {"status": "closed"}).content.decode()
    assert str(other.pk) in html and str(conversation.pk) not in html
    html = officer_client.get("/inbox/", {"status": "", "label": label.pk}).content.decode()
    assert str(conversation.pk) in html and str(other.pk) not in html
    html = officer_client.get("/inbox/", {"status": "", "assignee": "none"}).content.decode()
    assert str(conversation.pk) in html
    html = officer_client.get("/inbox/", {"status": "", "channel": channel.pk}).content.decode()
    assert str(conversation.pk) in html


def test_a_filter_that_is_not_valid_drops_only_itself(officer_client, conversation, channel):
    """An old link or a deleted label: the other filters still apply, and the
    refused one as the form draws it (its first choice, "all")."""
    label = Label.objects.create(agency=channel.agency, name="school")
    conversation.labels.add(label)
    unlabelled = _conversation_in(channel)
    closed = _conversation_in(channel, status="closed")
    closed.labels.add(label)
    html = officer_client.get("/inbox/", {"status": "bogus", "label": label.pk}).content.decode()
    assert str(conversation.pk) in html and str(closed.pk) in html
    assert str(unlabelled.pk) not in html
    html = officer_client.get("/inbox/", {"status": "closed", "label": 999999}).content.decode()
    assert str(closed.pk) in html and str(conversation.pk) not in html


def test_htmx_poll_returns_rows_fragment(officer_client, conversation):
    r = officer_client.get("/inbox/", headers={"HX-Request": "true"})
    assert b"<html" not in r.content
    assert str(conversation.pk).encode() in r.content


def test_conversation_page_shows_thread_and_audits_the_view(officer_client, conversation, officer):
    r = officer_client.get(f"/inbox/c/{conversation.pk}/")
    assert r.status_code == 200
    assert "noen selger piller på snap" in r.content.decode()
    assert AuditRecord.objects.filter(
        action="conversation.view", actor=officer, object_id=str(conversation.pk)
    ).exists()


def test_message_text_is_escaped(officer_client, conversation):
    MessageFactory(
        conversation=conversation, text='<script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    html = officer_client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html


def test_reply_from_page(officer_client, conversation, fake_graph):
    r = officer_client.post(f"/inbox/c/{conversation.pk}/reply", {"text": "Hei, takk!"})
    assert r.status_code == 302
    html = officer_client.get(f"/inbox/c/{conversation.pk}/thread").content.decode()
    assert "Hei, takk!" in html
    assert 'data-state="sent"' in html


def test_note_status_assign_labels(officer_client, conversation, officer, channel):
    label = Label.objects.create(agency=channel.agency, name="follow-up")
    officer_client.post(f"/inbox/c/{conversation.pk}/note", {"text": "Ring skolen"})
    assert Note.objects.get().text == "Ring skolen"
    officer_client.post(
        f"/inbox/c/{conversation.pk}/update",
        {
            "status": "pending",
            "priority": "1",
            "assignee": str(officer.pk),
            "labels_present": "1",
            "labels": [label.pk],
        },
    )
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.status == "pending"
    assert conversation.priority == 1
    assert conversation.assignee == officer
    assert list(conversation.labels.all()) == [label]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "conversation.note",
        "conversation.status",
        "conversation.assign",
        "conversation.labels",
        "conversation.priority",
    } <= actions


def test_officer_cannot_assign_colleague_from_page(officer_client, conversation, agency):
    kari = UserFactory(username="kari", agency=agency)
    officer_client.post(f"/inbox/c/{conversation.pk}/update", {"assignee": str(kari.pk)})
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_analyst_cannot_reply_from_page(client, conversation, agency):
    analyst = UserFactory(username="ana", agency=agency, roles=["analyst"])
    client.force_login(analyst)
    assert client.post(f"/inbox/c/{conversation.pk}/reply", {"text": "x"}).status_code == 403


def test_first_message_sets_priority_later_ones_only_raise(client, channel):
    from nettpatrulje.testing.meta import envelope, signed_post, text_event

    signed_post(
        client,
        envelope("PAGE1", text_event("U1", "PAGE1", "takk for svaret i går, dere er flinke 👍")),
    )
    conversation = Conversation.objects.get()
    assert conversation.urgency == "low" and conversation.priority == 3
    signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", "hei igjen, takk!")))
    conversation.refresh_from_db()
    assert conversation.priority == 3


def test_conversation_links_to_guidance_and_referral(officer_client, conversation):
    html = officer_client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert f"/patrols/guidance/ask/?conversation={conversation.pk}" in html
    assert f"/patrols/referrals/new/?conversation={conversation.pk}" in html


def test_internal_case_has_no_reply(officer_client, agency):
    from nettpatrulje.inbox.services import reply_window
    from nettpatrulje.testing.factories import ChannelFactory

    internal = ChannelFactory(agency=agency, platform="internal", account_id="internal-kripos")
    case = ConversationFactory(
        channel=internal, agency=agency, contact__channel=internal, contact__agency=agency
    )
    assert not reply_window(case).allowed
    html = officer_client.get(f"/inbox/c/{case.pk}/").content.decode()
    assert "nobody on a platform to reply to" in html

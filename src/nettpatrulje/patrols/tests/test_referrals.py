"""The referral state machine: sent → accepted | declined (with a reason); nothing
else, every step audited, the receiver gets its own case with the shared text only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.inbox.models import Conversation
from nettpatrulje.patrols.models import Notification, Referral
from nettpatrulje.patrols.services import (
    ReferralStateError,
    referral_accept,
    referral_decline,
    referral_send,
)
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

TEXT = "Hei, jeg heter Per, ring meg på 98765432 eller per@example.no. @perrrr truer meg."


@pytest.fixture
def source(ola):
    conversation = ConversationFactory(contact__channel__agency=ola.agency)
    MessageFactory(conversation=conversation, text=TEXT)
    return conversation


def _send(ola, aino, source, **kw):
    return referral_send(
        actor=ola, to_agency=aino.agency, reason="lives in Turku",
        shared_text=kw.pop("text", TEXT), conversation=source, **kw,
    )  # fmt: skip


def test_sent_is_redacted_by_default_and_audited(ola, aino, source):
    referral = _send(ola, aino, source)
    assert referral.state == Referral.State.SENT
    assert "98765432" not in referral.shared_text
    assert "per@example.no" not in referral.shared_text
    assert "@perrrr" not in referral.shared_text
    assert "[PHONE]" in referral.shared_text and "[EMAIL]" in referral.shared_text
    actions = list(
        AuditRecord.objects.filter(object_id=str(referral.pk)).values_list("action", "agency_id")
    )
    assert ("referral.send", ola.agency_id) in actions
    assert ("referral.receive", aino.agency_id) in actions
    assert Notification.objects.filter(user=aino).exists()


def test_unredacted_only_when_chosen(ola, aino, source):
    assert _send(ola, aino, source, redact=False).shared_text == TEXT


def test_accept_opens_a_case_with_only_the_shared_text(ola, aino, source):
    referral = _send(ola, aino, source)
    referral = referral_accept(actor=aino, referral=referral)
    assert referral.state == Referral.State.ACCEPTED
    case = Conversation.objects.visible_to(aino).get()
    assert case == referral.received_conversation
    assert case.channel.platform == "internal"
    text = case.messages.get().text
    assert referral.shared_text in text and "98765432" not in text
    # Neither side gains the other's data.
    assert not Conversation.objects.visible_to(aino).filter(pk=source.pk).exists()
    assert not Conversation.objects.visible_to(ola).filter(pk=case.pk).exists()
    assert AuditRecord.objects.filter(action="referral.accept", agency_id=aino.agency_id).exists()
    assert AuditRecord.objects.filter(action="referral.accepted", agency_id=ola.agency_id).exists()
    assert Notification.objects.filter(user=ola).exists()


def test_decline_needs_a_reason_and_the_sender_sees_it(ola, aino, source, client):
    referral = _send(ola, aino, source)
    with pytest.raises(ValidationError):
        referral_decline(actor=aino, referral=referral, reason="  ")
    referral_decline(actor=aino, referral=referral, reason="Not our district")
    referral.refresh_from_db()
    assert referral.state == Referral.State.DECLINED
    assert referral.decline_reason == "Not our district"
    client.force_login(ola)
    page = client.get("/patrols/referrals/").content.decode()
    assert "Declined" in page and "Not our district" in page
    assert not Conversation.objects.visible_to(aino).exists()


@pytest.mark.parametrize("first", ["accept", "decline"])
def test_a_decided_referral_cannot_change(ola, aino, source, first):
    referral = _send(ola, aino, source)
    if first == "accept":
        referral_accept(actor=aino, referral=referral)
    else:
        referral_decline(actor=aino, referral=referral, reason="no")
    with pytest.raises(ReferralStateError):
        referral_accept(actor=aino, referral=referral)
    with pytest.raises(ReferralStateError):
        referral_decline(actor=aino, referral=referral, reason="again")


def test_only_the_receiver_decides(ola, aino, sigga, source):
    referral = _send(ola, aino, source)
    for actor in (ola, sigga):
        with pytest.raises(PermissionDenied):
            referral_accept(actor=actor, referral=referral)


def test_cannot_refer_another_agencys_conversation(aino, ola, source):
    with pytest.raises(PermissionDenied):
        referral_send(
            actor=aino, to_agency=ola.agency, reason="x", shared_text="x", conversation=source
        )


def test_pages_accept_and_decline(ola, aino, source, client):
    referral = _send(ola, aino, source)
    client.force_login(aino)
    page = client.get(f"/patrols/referrals/{referral.pk}/").content.decode()
    assert "[PHONE]" in page and f"/inbox/c/{source.pk}/" not in page
    response = client.post(f"/patrols/referrals/{referral.pk}/accept/")
    referral.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/inbox/c/{referral.received_conversation_id}/"
    assert client.get(response["Location"]).status_code == 200

"""A notification speaks its recipient's language, not the language of whoever caused it:
a Finnish officer's question reaches a Norwegian mentor in Norwegian, and the answer
comes back in Finnish. Nettpatrulje sends no e-mail; notifications are all it sends."""

from __future__ import annotations

import pytest
from django.utils import translation

from nettpatrulje.patrols.models import Notification
from nettpatrulje.patrols.services import (
    guidance_answer,
    guidance_ask,
    referral_decline,
    referral_send,
    session_start,
)
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def _said(language: str, msgid: str, **params) -> str:
    with translation.override(language):
        return translation.gettext(msgid) % params


def _last(user) -> str:
    return Notification.objects.filter(user=user).latest("created_at").text


def test_guidance_question_and_answer_each_in_the_recipients_language(operation, aino, mentor):
    aino.language, mentor.language = "fi", "nb"
    aino.save()
    mentor.save()
    session = session_start(actor=aino, platform="minecraft", operation=operation)
    with translation.override("fi"):  # Aino's own request is in Finnish
        request = guidance_ask(actor=aino, question="Mitä sanon?", session=session)
    asked = _said("nb", "%(name)s (%(agency)s) asks for guidance.", name="aino", agency="Poliisi")
    assert _last(mentor) == asked
    assert asked != _said(
        "fi", "%(name)s (%(agency)s) asks for guidance.", name="aino", agency="Poliisi"
    )

    with translation.override("nb"):  # and the mentor's in Norwegian
        guidance_answer(actor=mentor, request=request, answer="Si at det ikke er hans feil.")
    assert _last(aino) == _said("fi", "%(name)s answered your guidance request.", name="mentor")


def test_mentor_comment_over_http_reaches_the_officer_in_his_language(ola, mentor, client):
    ola.language, mentor.language = "en", "nb"
    ola.save()
    mentor.save()
    session = session_start(actor=ola, platform="minecraft")
    client.force_login(mentor)  # the mentor's pages, and so this request, are in Norwegian
    response = client.post(f"/patrols/sessions/{session.pk}/comment/", {"text": "Bra jobba."})
    assert response.status_code == 302
    assert _last(ola) == "mentor commented on your patrol session."


def test_without_a_language_of_their_own_users_hear_their_agencys(ola, sigga):
    sigga.language = ""
    sigga.save()
    sigga.agency.language = "is"
    sigga.agency.save()
    ola.language = "nb"
    ola.save()
    source = ConversationFactory(contact__channel__agency=ola.agency)
    MessageFactory(conversation=source, text="Han bor på Akureyri.")
    with translation.override("nb"):
        referral = referral_send(
            actor=ola, to_agency=sigga.agency, reason="bor på Island",
            shared_text="Han bor på Akureyri.", conversation=source,
        )  # fmt: skip
    assert _last(sigga) == _said("is", "New referral from %(agency)s.", agency="Kripos")

    with translation.override("is"):
        referral_decline(actor=sigga, referral=referral, reason="Ekki okkar mál.")
    assert _last(ola) == _said("nb", "%(agency)s declined your referral.", agency="Lögreglan")
    assert _last(ola) != _said("is", "%(agency)s declined your referral.", agency="Lögreglan")

"""An officer of one country never sees another country's sessions, interactions or
cases, except what a referral shares and what the lead agency may see (aggregates,
the live board, and guidance requests addressed to it)."""

from __future__ import annotations

import pytest

from nettpatrulje.inbox.models import Conversation
from nettpatrulje.patrols import selectors
from nettpatrulje.patrols.models import (
    GuidanceRequest,
    Incident,
    Interaction,
    Operation,
    PatrolSession,
    Referral,
)
from nettpatrulje.patrols.quickadd import parse
from nettpatrulje.patrols.services import (
    guidance_ask,
    incident_create,
    interaction_add,
    referral_send,
    session_start,
)
from nettpatrulje.testing.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(operation, aino, sigga, ola):
    fi = session_start(actor=aino, platform="minecraft", game="Minecraft", operation=operation)
    interaction_add(actor=aino, session=fi, line=parse("@kasperi 13-15 #bullying secret-fi"))
    incident_create(actor=aino, session=fi, description="incident-fi")
    is_ = session_start(actor=sigga, platform="fortnite", operation=operation)
    interaction_add(actor=sigga, session=is_, line=parse("@bjork 13-15 secret-is"))
    incident_create(actor=sigga, session=is_, description="incident-is")
    no = session_start(actor=ola, platform="fortnite", operation=operation)
    return {"fi": fi, "is": is_, "no": no}


def test_rows_are_visible_only_to_their_own_agency(world, aino, sigga, ola):
    for user, session in ((aino, world["fi"]), (sigga, world["is"]), (ola, world["no"])):
        assert list(PatrolSession.objects.visible_to(user)) == [session]
        assert {i.session_id for i in Interaction.objects.visible_to(user)} <= {session.pk}
        assert {i.session_id for i in Incident.objects.visible_to(user)} <= {session.pk}
    # Each incident opened a case in its own agency's inbox only.
    assert [c.agency_id for c in Conversation.objects.visible_to(aino)] == [aino.agency_id]
    assert [c.agency_id for c in Conversation.objects.visible_to(sigga)] == [sigga.agency_id]
    assert not Conversation.objects.visible_to(ola).exists()


def test_pages_of_another_country_are_404(world, client, aino, sigga):
    client.force_login(sigga)
    fi = world["fi"]
    assert client.get(f"/patrols/sessions/{fi.pk}/").status_code == 404
    assert client.post(f"/patrols/sessions/{fi.pk}/add/", {"line": "@x hi"}).status_code == 404
    incident = Incident.objects.get(session=fi)
    assert client.get(f"/inbox/c/{incident.conversation_id}/").status_code == 404
    assert client.post(f"/patrols/incidents/{incident.pk}/case/").status_code == 404
    page = client.get("/patrols/").content.decode()
    assert "secret-fi" not in page and f"/patrols/sessions/{fi.pk}/" not in page


def test_lead_agency_sees_aggregates_and_the_board_but_not_content(
    world, operation, client, ola, aino
):
    figures = selectors.operation_figures(user=ola, operation=operation)
    assert {f["agency__country"]: f["interactions"] for f in figures} == {
        "FI": 1,
        "IS": 1,
        "NO": 0,
    }
    board = selectors.board(user=ola, operation=operation)
    assert {s.agency.country for s in board["running"]} == {"FI", "IS", "NO"}
    # Still no rows of content.
    assert not Interaction.objects.visible_to(ola).exists()
    client.force_login(ola)
    assert client.get(f"/patrols/sessions/{world['fi'].pk}/").status_code == 404
    live = client.get(f"/patrols/operations/{operation.pk}/board/live/").content.decode()
    assert "secret-fi" not in live
    # A participant sees only its own country on the board.
    fi_board = selectors.board(user=aino, operation=operation)
    assert {s.agency.country for s in fi_board["running"]} == {"FI"}
    assert {
        f["agency__country"] for f in selectors.operation_figures(user=aino, operation=operation)
    } == {"FI"}


def test_guidance_is_seen_by_the_asker_agency_and_the_addressed_agency_only(
    world, operation, aino, mentor, sigga
):
    gr = guidance_ask(actor=aino, question="how?", session=world["fi"])
    assert gr.addressed_to == operation.lead
    assert list(GuidanceRequest.objects.visible_to(mentor)) == [gr]
    assert list(GuidanceRequest.objects.visible_to(aino)) == [gr]
    assert not GuidanceRequest.objects.visible_to(sigga).exists()
    # The mentor gets the question, not the session behind it.
    assert not PatrolSession.objects.visible_to(mentor).filter(pk=world["fi"].pk).exists()


def test_non_participants_see_no_operation(operation):
    outsider = UserFactory(agency=AgencyFactory(slug="other", country="SE"), roles=["officer"])
    assert not Operation.objects.visible_to(outsider).exists()
    with pytest.raises(Exception):
        session_start(actor=outsider, platform="fortnite", operation=operation)


def test_referral_shares_only_its_snapshot(world, ola, aino, sigga, client):
    incident = Incident.objects.get(session=world["fi"])
    referral = referral_send(
        actor=aino, to_agency=ola.agency, reason="lives in Norway",
        shared_text="@kasperi wrote: call me on +4798765432", incident=incident,
    )  # fmt: skip
    assert list(Referral.objects.visible_to(ola)) == [referral]
    assert not Referral.objects.visible_to(sigga).exists()
    # Kripos still cannot open the Finnish incident's case or session.
    client.force_login(ola)
    page = client.get(f"/patrols/referrals/{referral.pk}/").content.decode()
    assert "[HANDLE] wrote: call me on [PHONE]" in page
    assert str(incident.conversation_id) not in page
    assert f"/patrols/sessions/{world['fi'].pk}/" not in page
    assert client.get(f"/inbox/c/{incident.conversation_id}/").status_code == 404

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from nettpatrulje.library.services import article_create
from nettpatrulje.patrols import selectors
from nettpatrulje.patrols.models import Notification
from nettpatrulje.patrols.services import guidance_answer, guidance_ask, session_start

pytestmark = pytest.mark.django_db
T0 = datetime(2023, 11, 21, 14, tzinfo=UTC)


def test_response_times_median_and_p90(operation, aino, mentor):
    session = session_start(actor=aino, platform="minecraft", operation=operation)
    minutes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30]
    for n, m in enumerate(minutes):
        gr = guidance_ask(
            actor=aino, question=f"q{n}", session=session, now=T0 + timedelta(hours=n)
        )
        guidance_answer(
            actor=mentor, request=gr, answer="a", now=T0 + timedelta(hours=n, minutes=m)
        )
    guidance_ask(actor=aino, question="still open", session=session, now=T0)
    times = selectors.guidance_response_times(user=mentor, operation=operation)
    assert times.count == 10
    assert times.median_seconds == 5.5 * 60
    assert times.p90_seconds == 9 * 60
    assert times.open == 1
    # A second answer does not reset the measured time.
    gr = selectors.guidance_mine(user=aino).get(question="q9")
    guidance_answer(actor=mentor, request=gr, answer="better", now=T0 + timedelta(days=3))
    assert selectors.guidance_response_times(user=mentor).p90_seconds == 9 * 60


def test_only_mentors_of_the_addressed_agency_answer(operation, aino, sigga, ola, mentor):
    session = session_start(actor=aino, platform="minecraft", operation=operation)
    gr = guidance_ask(actor=aino, question="how?", session=session)
    for actor in (ola, sigga):  # officer of the lead agency, mentor-less other agency
        with pytest.raises(PermissionDenied):
            guidance_answer(actor=actor, request=gr, answer="x")
    # The mentor was told, then the asker is told of the answer.
    assert Notification.objects.filter(user=mentor).count() == 1
    guidance_answer(actor=mentor, request=gr, answer="Say it is not his fault.")
    assert Notification.objects.visible_to(aino).count() == 1


def test_mentor_attaches_an_article_the_asker_can_read(operation, aino, mentor, client):
    article = article_create(
        actor=mentor, slug="sextortion", language="en", title="Talking about sextortion",
        body="Do **not** pay.",
    )  # fmt: skip
    session = session_start(actor=aino, platform="minecraft", operation=operation)
    gr = guidance_ask(actor=aino, question="blackmailed friend?", session=session)
    client.force_login(mentor)
    queue = client.get("/patrols/guidance/").content.decode()
    assert "blackmailed friend?" in queue
    response = client.post(
        f"/patrols/guidance/{gr.pk}/",
        {"answer": "Start with: not his fault.", "articles": [article.pk]},
    )
    assert response.status_code == 302
    client.force_login(aino)
    page = client.get(f"/patrols/sessions/{session.pk}/").content.decode()
    assert "Start with: not his fault." in page and "Talking about sextortion" in page
    assert client.get(f"/library/{article.pk}/").status_code == 200
    assert "1" in client.get("/patrols/notifications/badge/").content.decode()

from __future__ import annotations

import pytest

from nettpatrulje.audit.models import AuditRecord
from nettpatrulje.testing.factories import AgencyFactory, ConversationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(channel):
    return ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )


def test_supervisor_sees_who_opened_a_conversation(client, officer_client, conversation, agency):
    officer_client.get(f"/inbox/c/{conversation.pk}/")
    supervisor = UserFactory(username="kari", agency=agency, roles=["supervisor"])
    client.force_login(supervisor)
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert "Opened by" in html
    assert "ola" in html and "kari" in html


def test_officer_does_not_see_access_log(officer_client, conversation):
    assert "Opened by" not in officer_client.get(f"/inbox/c/{conversation.pk}/").content.decode()


def test_admin_searches_and_exports_the_trail(client, officer_client, conversation, agency):
    officer_client.get(f"/inbox/c/{conversation.pk}/")
    admin = UserFactory(username="adm", agency=agency, roles=["admin"])
    client.force_login(admin)
    html = client.get(
        "/admin/audit/", {"username": "ola", "object_id": str(conversation.pk)}
    ).content.decode()
    assert "conversation.view" in html
    response = client.get("/admin/audit/", {"username": "ola", "format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("id,at,actor,action")
    assert "conversation.view" in body
    assert AuditRecord.objects.filter(action="audit.export", actor=admin).exists()


def test_trail_is_scoped_to_the_agency(client, officer_client, conversation):
    officer_client.get(f"/inbox/c/{conversation.pk}/")
    foreign_admin = UserFactory(
        username="fadm", agency=AgencyFactory(slug="poliisi", country="FI"), roles=["admin"]
    )
    client.force_login(foreign_admin)
    assert "conversation.view" not in client.get("/admin/audit/").content.decode()


def test_officer_cannot_search_the_trail(officer_client):
    assert officer_client.get("/admin/audit/").status_code == 403

from __future__ import annotations

import pytest

from nettpatrulje.channels.fakegraph import FakeGraphServer


@pytest.fixture
def fake_graph(settings):
    server = FakeGraphServer().start()
    settings.META_GRAPH_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def agency(db):
    from nettpatrulje.testing.factories import AgencyFactory

    return AgencyFactory(slug="kripos", name="Kripos", country="NO")


@pytest.fixture
def channel(agency):
    from nettpatrulje.testing.factories import ChannelFactory

    return ChannelFactory(agency=agency, account_id="PAGE1", access_token="page-token")


@pytest.fixture
def officer(agency):
    from nettpatrulje.testing.factories import UserFactory

    return UserFactory(username="ola", agency=agency, roles=["officer"])


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


# TEMP-STUB-START
@pytest.fixture(autouse=True)
def _temp_triage_stub(monkeypatch):
    import nettpatrulje.triage as t

    if hasattr(t, "get_engine"):
        return
    from types import SimpleNamespace

    class E:
        def triage(self, text, agency_country=None):
            return SimpleNamespace(language="nb", category="other", urgency="normal", flags=[], pii=[],
                                   redacted_text=text, explanation="stub")

    monkeypatch.setattr(t, "get_engine", lambda: E(), raising=False)
# TEMP-STUB-END

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from nettpatrulje.channels.fakegraph import FakeGraphServer

pytest_plugins = ["nettpatrulje.testing.browser"]

# No per-example deadline: CI machines are shared and timing goals live in bench/.
hypothesis_settings.register_profile("nettpatrulje", deadline=None, print_blob=True)
hypothesis_settings.load_profile("nettpatrulje")


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

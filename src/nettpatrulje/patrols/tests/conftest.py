from __future__ import annotations

import pytest

from nettpatrulje.testing.factories import AgencyFactory, UserFactory


@pytest.fixture
def kripos(db):
    return AgencyFactory(slug="kripos", name="Kripos", country="NO", timezone="Europe/Oslo")


@pytest.fixture
def poliisi(db):
    return AgencyFactory(slug="poliisi", name="Poliisi", country="FI", timezone="Europe/Helsinki")


@pytest.fixture
def logreglan(db):
    return AgencyFactory(
        slug="logreglan", name="Lögreglan", country="IS", timezone="Atlantic/Reykjavik"
    )


@pytest.fixture
def coordinator(kripos):
    return UserFactory(username="coordinator", agency=kripos, roles=["coordinator"])


@pytest.fixture
def mentor(kripos):
    return UserFactory(username="mentor", agency=kripos, roles=["mentor", "officer"])


@pytest.fixture
def ola(kripos):
    return UserFactory(username="ola", agency=kripos, roles=["officer"])


@pytest.fixture
def aino(poliisi):
    return UserFactory(username="aino", agency=poliisi, roles=["officer"])


@pytest.fixture
def sigga(logreglan):
    return UserFactory(username="sigga", agency=logreglan, roles=["officer"])


@pytest.fixture
def operation(coordinator, poliisi, logreglan):
    from datetime import date

    from nettpatrulje.patrols.services import operation_create

    return operation_create(
        actor=coordinator,
        name="EMPACT Action Week 2023",
        starts_on=date(2023, 11, 20),
        ends_on=date(2023, 11, 24),
        participants=[poliisi, logreglan],
        platforms=["fortnite", "minecraft"],
    )

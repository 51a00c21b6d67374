"""The API keeps its own contract: schemathesis generates requests for every
operation in /api/v1/openapi.json (valid and invalid ones), sends them to the
application in-process with a valid token, and checks that no answer is a server
error and that every answer is one the schema declares, in the declared shape."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nettpatrulje.accounts.services import api_token_create
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory, UserFactory
from nettpatrulje.testing.fuzz import fuzz_settings

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_world(channel, officer, fake_graph):
    """An officer's agency with conversations (one closed, one with a reply and a
    deleted message) and a colleague to assign to; the token is the officer's."""
    conversation = ConversationFactory(
        channel=channel, agency=channel.agency, contact__channel=channel
    )
    MessageFactory(conversation=conversation, text="mitt nummer er 41234567")
    MessageFactory(conversation=conversation, attachments=[{"type": "image", "url": "x"}])
    closed = ConversationFactory(
        channel=channel, agency=channel.agency, contact__channel=channel, status="closed"
    )
    UserFactory(username="kari", agency=channel.agency, roles=["officer"])
    _, token = api_token_create(user=officer, name="schemathesis")
    return {"token": token, "conversation_ids": [str(conversation.pk), str(closed.pk)]}


@pytest.fixture
def api_schema(api_world):
    # The real WSGI handler starts and ends each request with close_old_connections,
    # which would close the test's transaction; Django's test client switches it off
    # the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


# Schemathesis's own pytest integration (`@schema.parametrize()`) does not run
# under pytest 9 (it reads a node attribute pytest removed): the cases come from
# its strategies, one operation at a time, under our own hypothesis settings.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_the_schema(api_schema, api_world, mode):
    operations = _operations(api_schema)
    assert len(operations) >= 5
    headers = {"Authorization": f"Bearer {api_world['token']}"}
    for operation in operations:

        @fuzz_settings(30)
        @given(case=operation.as_strategy(mode), known=st.integers(0, 2))
        def check(case, known):
            # Random UUIDs only ever find nothing: most requests name a real conversation.
            if "conversation_id" in (case.path_parameters or {}) and known < 2:
                case.path_parameters["conversation_id"] = api_world["conversation_ids"][known]
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()

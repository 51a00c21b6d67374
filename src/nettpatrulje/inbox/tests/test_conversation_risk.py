"""Grooming and sextortion risk rises over a conversation and names its messages."""

from __future__ import annotations

import pytest

from nettpatrulje.inbox.models import Conversation, Message
from nettpatrulje.testing.meta import envelope, signed_post, text_event

pytestmark = pytest.mark.django_db

GROOMING = [
    "hey how old are you?",
    "you seem really mature for your age",
    "dont tell your parents about our chats ok",
    "add me on snap, discord is boring",
    "i can give you 2000 robux if you send me a pic",
]


def test_risk_rises_with_repeated_diverse_signals(client, channel):
    scores = []
    for text in GROOMING:
        signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", text)))
        scores.append(Conversation.objects.get().risk_score)
    assert scores[-1] > scores[0]
    assert scores == sorted(scores)
    conversation = Conversation.objects.get()
    assert conversation.risk_level in {"medium", "high"}
    flagged = {s["message_id"] for s in conversation.risk_signals}
    assert flagged <= {str(pk) for pk in Message.objects.values_list("pk", flat=True)}
    assert len(flagged) >= 3


def test_ordinary_conversation_has_no_risk(client, channel):
    for text in ["hei", "er det lov å filme på trening?", "takk for svaret!"]:
        signed_post(client, envelope("PAGE1", text_event("U1", "PAGE1", text)))
    conversation = Conversation.objects.get()
    assert conversation.risk_level == ""
    assert conversation.risk_signals == []

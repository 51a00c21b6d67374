"""Messages are untrusted input: scripts, HTML and direction tricks are rendered inert."""

from __future__ import annotations

import pytest

from nettpatrulje.lib.text import make_inert
from nettpatrulje.testing.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

XSS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">klikk</a>',
    "<iframe src=//evil.example></iframe>",
    "{{ 7*7 }} {% debug %}",
    "<style>body{display:none}</style>",
]


def test_invisible_and_bidi_characters_become_visible_markers():
    assert make_inert("pay\u202egnp.exe") == "pay⟦U+202E⟧gnp.exe"
    assert make_inert("se\u200bcret") == "se⟦U+200B⟧cret"
    assert make_inert("vanlig tekst, æøå 😀") == "vanlig tekst, æøå 😀"


def test_payloads_are_escaped_in_the_thread(officer_client, channel):
    conversation = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        contact__display_name="Eve\u202e<b>nimda</b>",
    )
    for payload in XSS:
        MessageFactory(
            conversation=conversation,
            text=payload,
            attachments=[{"type": "file", "title": f"bilde\u202egpj.exe {payload}"}],
        )
    html = officer_client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    for payload in XSS:
        if "<" in payload:
            assert payload not in html
    assert "\u202e" not in html
    assert "⟦U+202E⟧" in html
    assert "{{ 7*7 }}" in html  # shown as text, never evaluated

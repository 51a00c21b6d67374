"""The widget's parser and sender in the shared registry."""

from __future__ import annotations

import pytest

from nettpatrulje.channels.base import Kind, ParseError
from nettpatrulje.channels.models import Platform
from nettpatrulje.channels.registry import PARSERS, SENDERS


def test_parser_turns_a_stored_event_into_an_inbound_message():
    platform, items = PARSERS["widget"](
        {
            "widget_key": "wk_1",
            "visitor": "v_abc",
            "client_id": "c-123456",
            "text": "hei",
            "sent_at": "2026-03-01T10:00:00+00:00",
        }
    )
    assert platform == "widget"
    (item,) = items
    assert item.kind == Kind.MESSAGE
    assert (item.account_id, item.contact_id, item.thread_key) == ("wk_1", "v_abc", "v_abc")
    assert item.mid == "v_abc:c-123456"
    assert item.text == "hei"
    assert item.sent_at.isoformat() == "2026-03-01T10:00:00+00:00"


@pytest.mark.parametrize("data", [[], "x", {"widget_key": "wk_1", "visitor": "v"}, {}])
def test_parser_refuses_what_is_not_a_widget_event(data):
    with pytest.raises(ParseError):
        PARSERS["widget"](data)


def test_sender_records_and_names_the_outbox_item():
    sender = SENDERS[Platform.WIDGET](None)
    result = sender.send_text(
        recipient_id="v_abc", text="hei", metadata="nettpatrulje:outbox:1234-abcd", tag=None
    )
    assert result.platform_message_id == "widget:1234-abcd"

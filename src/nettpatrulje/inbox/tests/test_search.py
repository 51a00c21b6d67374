"""Full-text search in the inbox: PostgreSQL text search with per-language
stemming, FTS5 on SQLite; scoped like everything else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from nettpatrulje.inbox import search
from nettpatrulje.inbox.models import Message
from nettpatrulje.inbox.selectors import InboxFilters, conversation_list
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
)

pytestmark = pytest.mark.django_db
pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="stemming needs PostgreSQL text search"
)
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="FTS5 path")


def _conversation(channel, *texts, language="nb", name=""):
    conv = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
        contact__display_name=name,
    )
    for text in texts:
        MessageFactory(conversation=conv, text=text, language=language)
    return conv


def _found(user, q, **filters):
    return list(conversation_list(user=user, filters=InboxFilters(status="", q=q, **filters)))


def test_finds_conversation_by_message_word(officer, channel):
    fraud = _conversation(channel, "Jeg ble svindlet på Marketplace")
    _conversation(channel, "Hvordan anmelder jeg noe?")
    assert _found(officer, "marketplace") == [fraud]


def test_all_words_must_match(officer, channel):
    both = _conversation(channel, "svindel på Marketplace")
    _conversation(channel, "svindel i spill")
    assert _found(officer, "svindel marketplace") == [both]


def test_other_agency_messages_are_not_found(officer, channel):
    other = AgencyFactory(slug="politie", country="NL")
    their_channel = ChannelFactory(agency=other)
    _conversation(their_channel, "geheim bericht oplichting")
    assert _found(officer, "oplichting") == []


def test_removed_message_is_not_found(officer, channel):
    conv = _conversation(channel, "hemmelig tekst som ble angret")
    assert _found(officer, "hemmelig") == [conv]
    # What the unsend path stores: the text is gone, the record stays.
    Message.objects.filter(conversation=conv).update(
        deleted_at=timezone.now(), text="", redacted_text=""
    )
    assert _found(officer, "hemmelig") == []


def test_removed_message_not_found_even_if_text_kept(officer, channel):
    conv = _conversation(channel, "skjult innhold her")
    Message.objects.filter(conversation=conv).update(deleted_at=timezone.now())
    assert _found(officer, "skjult") == []


def test_masked_personal_data_is_not_searchable(officer, channel):
    conv = ConversationFactory(
        channel=channel,
        agency=channel.agency,
        contact__channel=channel,
        contact__agency=channel.agency,
    )
    MessageFactory(
        conversation=conv,
        text="ring meg på 98765432",
        redacted_text="ring meg på [telefon]",
    )
    assert _found(officer, "98765432") == []
    assert _found(officer, "ring") == [conv]


def test_edited_text_replaces_old_in_index(officer, channel):
    conv = _conversation(channel, "første versjon")
    message = conv.messages.get()
    message.redacted_text = "andre utgave"
    message.save()
    assert _found(officer, "første") == []
    assert _found(officer, "utgave") == [conv]


def test_deleted_message_leaves_index(officer, channel):
    conv = _conversation(channel, "forsvinner snart")
    conv.messages.all().delete()
    assert _found(officer, "forsvinner") == []


def test_contact_name_and_handle_substring(officer, channel):
    named = _conversation(channel, "hei", name="Kari Nordmann")
    assert _found(officer, "nordm") == [named]
    handle = named.contact.platform_id
    assert _found(officer, handle[-4:]) == [named]


def test_contact_match_ranks_before_text_match(officer, channel):
    by_text = _conversation(channel, "spør om Nordmann")
    by_name = _conversation(channel, "hei", name="Ola Nordmann")
    assert _found(officer, "nordmann") == [by_name, by_text]


def test_newest_activity_ranks_first(officer, channel):
    from datetime import timedelta

    often = _conversation(channel, "trusler", "flere trusler", "trusler igjen")
    once = _conversation(channel, "trusler på nett og mye annet som skjedde i går kveld")
    often.last_message_at = timezone.now() - timedelta(hours=2)
    often.save()
    # Not the one that says it most often: the one with the newest activity.
    assert _found(officer, "trusler") == [once, often]


def test_search_combines_with_filters(officer, channel):
    open_ = _conversation(channel, "bildedeling")
    closed = _conversation(channel, "bildedeling")
    closed.status = "closed"
    closed.save()
    assert set(_found(officer, "bildedeling")) == {open_, closed}
    assert list(
        conversation_list(user=officer, filters=InboxFilters(status="closed", q="bildedeling"))
    ) == [closed]
    me = _conversation(channel, "bildedeling")
    me.assignee = officer
    me.save()
    assert _found(officer, "bildedeling", assignee="me") == [me]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unclosed',
        "a NEAR b",
        "NEAR(a b, 2)",
        "*",
        "svind*",
        "body:svindel",
        "-",
        "!()&|:",
        "OR AND NOT",
        "^start",
        "'; DROP TABLE inbox_message; --",
        "\x00null",
        "🙂 ÆØÅ ǅ",
        "Ísland þjófnaður",
        "x" * 500,
        "%",
        "_",
        "\\",
    ],
)
def test_odd_input_never_errors(officer_client, channel, q):
    _conversation(channel, "svindel og trusler")
    r = officer_client.get("/inbox/", {"q": q, "status": ""})
    assert r.status_code == 200
    r = officer_client.get("/inbox/", {"q": q, "status": ""}, headers={"hx-request": "true"})
    assert r.status_code == 200


def test_search_box_on_the_page(officer_client, channel):
    hit = _conversation(channel, "Noen truer med å legge ut bilder av meg")
    miss = _conversation(channel, "Takk for svar!")
    body = officer_client.get("/inbox/", {"q": "bilder", "status": ""}).content.decode()
    assert str(hit.pk) in body
    assert str(miss.pk) not in body


def test_fts5_expression_quotes_everything():
    assert search.fts5_expression('a "b" NEAR(c)') == '"a"* "b"* "NEAR"* "c"*'
    assert search.fts5_expression("*:^") == ""


@sqlite_only
def test_sqlite_prefix_match(officer, channel):
    conv = _conversation(channel, "meldingene kom i går")
    assert _found(officer, "melding") == [conv]


@sqlite_only
def test_sqlite_index_rebuilt_when_triggers_are_lost(officer, channel):
    conv = _conversation(channel, "gjenoppbygd indeks")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER inbox_message_fts_ai")
    assert search.sqlite_index_ensure() is True
    assert search.sqlite_index_ensure() is False
    assert _found(officer, "gjenoppbygd") == [conv]
    later = _conversation(channel, "gjenoppbygd igjen")
    assert set(_found(officer, "gjenoppbygd")) == {conv, later}


@pg_only
def test_norwegian_stemming(officer, channel):
    conv = _conversation(channel, "Jeg fikk en melding fra ham", language="nb")
    assert _found(officer, "meldingene") == [conv]


@pg_only
def test_nynorsk_uses_norwegian_stemming(officer, channel):
    conv = _conversation(channel, "Eg fekk mange meldingar", language="nn")
    assert _found(officer, "melding") == [conv]


@pg_only
def test_each_message_stemmed_in_its_own_language(officer, channel):
    english = _conversation(channel, "He keeps threatening me", language="en")
    finnish = _conversation(channel, "Hän uhkailee minua viesteillä", language="fi")
    assert _found(officer, "threatened") == [english]
    assert _found(officer, "viesti") == [finnish]


@pg_only
def test_icelandic_falls_back_to_simple(officer, channel):
    conv = _conversation(channel, "Hann hótaði mér", language="is")
    assert _found(officer, "hótaði") == [conv]


@pg_only
def test_websearch_phrase(officer, channel):
    phrase = _conversation(channel, "legge ut bilder av meg", language="nb")
    _conversation(channel, "bilder som naboen vil legge ut", language="nb")
    assert _found(officer, '"legge ut bilder"') == [phrase]

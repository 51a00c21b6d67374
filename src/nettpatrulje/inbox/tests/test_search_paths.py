"""The search takes one of three ways to its answer depending on how common
the words are (inbox/search.py): reading the matches through the index, a walk
over the newest conversations only, or a walk over all of them. Each must find
the same conversations in the same order; here each is forced in turn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from nettpatrulje.inbox import search
from nettpatrulje.inbox.models import Label, Message
from nettpatrulje.inbox.selectors import InboxFilters, conversation_list
from nettpatrulje.testing.factories import (
    AgencyFactory,
    ChannelFactory,
    ConversationFactory,
    MessageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="PostgreSQL text search and its conversation summary",
)

PATHS = {
    # Every match read through the index, conversations sorted.
    "index": {"PROBE_MESSAGES": 10**6, "WALK_WINDOW": 10**6},
    # Walked, the window holding every conversation.
    "window": {"PROBE_MESSAGES": 1, "WALK_WINDOW": 10**6},
    # The window too small to fill the page, then walked all through.
    "walk": {"PROBE_MESSAGES": 1, "WALK_WINDOW": 1},
}


@pytest.fixture(params=list(PATHS))
def path(request, monkeypatch):
    for name, value in PATHS[request.param].items():
        monkeypatch.setattr(search, name, value)
    return request.param


@pytest.fixture
def inbox(channel):
    """Conversations an hour apart, the newest last in this list."""
    now = timezone.now()
    made = []

    def conversation(*texts, language="nb", name="", status="open", ago=None, ch=None):
        ch = ch or channel
        ago = len(made) if ago is None else ago
        conv = ConversationFactory(
            channel=ch,
            agency=ch.agency,
            contact__channel=ch,
            contact__agency=ch.agency,
            contact__display_name=name,
            status=status,
            last_message_at=now - timedelta(hours=100 - ago),
        )
        for text in texts:
            MessageFactory(conversation=conv, text=text, language=language)
        made.append(conv)
        return conv

    return conversation


def _found(user, q, limit=200, **filters):
    filters.setdefault("status", "")
    return list(conversation_list(user=user, filters=InboxFilters(q=q, **filters), limit=limit))


def test_common_word_newest_activity_first(officer, inbox, path):
    hits = [inbox(f"jeg ble svindlet, del {i}") for i in range(6)]
    inbox("noe helt annet")
    often = inbox("svindlet", "to ganger svindlet", "svindlet igjen")
    # The newest first, not the one that says it most often.
    assert _found(officer, "svindlet") == [often, *reversed(hits)]


def test_page_is_the_newest_matches(officer, inbox, path):
    hits = [inbox("svindel på nett") for _ in range(7)]
    for _ in range(3):
        inbox("ingenting her")
    newest_first = list(reversed(hits))
    assert _found(officer, "svindel", limit=3) == newest_first[:3]
    assert _found(officer, "svindel", limit=200) == newest_first


def test_rare_word_and_no_match(officer, inbox, path):
    for _ in range(4):
        inbox("hei hei")
    rare = inbox("kryptolommebok stjålet")
    assert _found(officer, "kryptolommebok") == [rare]
    assert _found(officer, "zzyzx") == []


def test_words_must_be_in_one_message(officer, inbox, path):
    together = inbox("noen truer med å dele bilder")
    inbox("noen truer meg", "bilder fra ferien")
    assert _found(officer, "truer bilder") == [together]


@pg_only
def test_excluded_word_is_per_message(officer, inbox, path):
    plain = inbox("svindel på nett")
    # Excluded within a message: another message of the conversation may hold
    # it, so the conversation's summary (which has it) must not rule it out.
    mixed = inbox("svindel på nett", "spill")
    found = _found(officer, "svindel -spill")
    assert found.index(mixed) < found.index(plain)


def test_contact_names_first_then_text(officer, inbox, path):
    by_text_old = inbox("spør om Nordmann")
    by_name = inbox("hei", name="Kari Nordmann")
    by_text_new = inbox("Nordmann igjen")
    assert _found(officer, "nordmann") == [by_name, by_text_new, by_text_old]


def test_filters_apply(officer, inbox, path, channel):
    open_ = inbox("bildedeling")
    closed = inbox("bildedeling", status="closed")
    mine = inbox("bildedeling")
    mine.assignee = officer
    mine.save()
    label = Label.objects.create(agency=channel.agency, name="skole")
    open_.labels.add(label)
    assert _found(officer, "bildedeling") == [mine, closed, open_]
    assert _found(officer, "bildedeling", status="closed") == [closed]
    assert _found(officer, "bildedeling", status="open") == [mine, open_]
    assert _found(officer, "bildedeling", assignee="me") == [mine]
    assert _found(officer, "bildedeling", label=label.pk) == [open_]


def test_other_agency_never_found(officer, inbox, path):
    other = AgencyFactory(slug="politie", country="NL")
    theirs = ChannelFactory(agency=other)
    inbox("oplichting geheim", ch=theirs)
    inbox("oplichting geheim", ch=theirs)
    ours = inbox("oplichting her")
    assert _found(officer, "oplichting") == [ours]
    their_officer = UserFactory(username="piet", agency=other, roles=["officer"])
    assert len(_found(their_officer, "oplichting")) == 2
    assert ours not in _found(their_officer, "oplichting")


def test_removed_messages_not_found(officer, inbox, path):
    conv = inbox("hemmelig tekst")
    kept = inbox("hemmelig også")
    Message.objects.filter(conversation=conv).update(
        deleted_at=timezone.now(), text="", redacted_text=""
    )
    assert _found(officer, "hemmelig") == [kept]


@pg_only
def test_stemming_and_phrase(officer, inbox, path):
    stem = inbox("Jeg fikk en melding fra ham")
    phrase = inbox("legge ut bilder av meg")
    # The words of the phrase in one message, but not as the phrase.
    inbox("bilder som naboen vil legge ut")
    english = inbox("He keeps threatening me", language="en")
    assert _found(officer, "meldingene") == [stem]
    assert _found(officer, '"legge ut bilder"') == [phrase]
    assert _found(officer, "threatened") == [english]


def _doc(conversation) -> set[str] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(words) FROM inbox_conversation_words "
            "WHERE conversation_id = %s",
            [conversation.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return set()
    return None if row[0] is None else set(row[0])


@pg_only
def test_summary_follows_the_messages(inbox):
    conv = inbox("svindel på nett")
    assert _doc(conv) == {"svindel", "nett"}
    message = MessageFactory(conversation=conv, text="trusler og svindel", language="nb")
    assert _doc(conv) == {"svindel", "nett", "trusl"}
    # Edited text: the old words leave the summary.
    message.redacted_text = "takk"
    message.save()
    assert _doc(conv) == {"svindel", "nett", "takk"}
    # Unsent: nothing of it stays.
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now(), redacted_text="")
    assert _doc(conv) == {"svindel", "nett"}
    # Anonymised by retention.
    Message.objects.filter(conversation=conv).update(text="", redacted_text="")
    assert _doc(conv) == set()


@pg_only
def test_summary_after_delete_and_bulk_insert(inbox):
    a = inbox("første samtale")
    b = inbox("andre samtale")
    Message.objects.bulk_create(
        [
            Message(
                agency=conv.agency,
                conversation=conv,
                channel=conv.channel,
                direction="in",
                text=text,
                redacted_text=text,
                language="nb",
            )
            for conv, text in ((a, "mer tekst"), (b, "enda mer"), (a, "siste ord"))
        ]
    )
    assert _doc(a) == {"først", "samtal", "mer", "tekst", "sist", "ord"}
    assert _doc(b) == {"andr", "samtal", "end", "mer"}
    Message.objects.filter(conversation=a, text__in=["mer tekst", "siste ord"]).delete()
    assert _doc(a) == {"først", "samtal"}
    gone = a.pk
    a.messages.all().delete()
    a.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM inbox_conversation_words WHERE conversation_id = %s", [gone]
        )
        assert cursor.fetchone()[0] == 0


@pg_only
def test_long_conversation_has_no_summary_and_is_still_found(officer, inbox, monkeypatch):
    words = " ".join(f"ord{i}x" for i in range(search.DOC_MAX_LEXEMES + 1))
    long = inbox(words, "til slutt svindel", language="")
    assert _doc(long) is None
    short = inbox("svindel")
    for name, value in PATHS["walk"].items():
        monkeypatch.setattr(search, name, value)
    assert _found(officer, "svindel") == [short, long]


def test_summary_query_drops_positions():
    assert search._summary_query("'legg' <-> 'ut' <-> 'bild'") == "'legg' & 'ut' & 'bild'"
    assert search._summary_query("'a' <2> 'b' & 'c'") == "'a' & 'b' & 'c'"
    # Inside a lexeme nothing is an operator.
    assert search._summary_query("'x<->y' <-> 'z'") == "'x<->y' & 'z'"
    assert search._summary_query("'it''s' <-> 'ok'") == "'it''s' & 'ok'"

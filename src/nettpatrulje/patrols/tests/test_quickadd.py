from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nettpatrulje.patrols.quickadd import AGE_BANDS, CONCERNS, QuickLine, format_line, parse


def test_the_documented_example():
    assert parse("@handle 13-15 #sextortion #bullying !high note text") == QuickLine(
        handle="handle",
        age_band="13-15",
        topics=("sextortion", "bullying"),
        concern="high",
        note="note text",
    )


def test_short_forms_and_order():
    q = parse("#sext !! @milo 14 asked about 2000 kr #scam")
    assert q.handle == "milo"
    assert q.age_band == "13-15"
    assert q.topics == ("sextortion", "fraud")
    assert q.concern == "high"
    # Numbers in the note stay in the note once the note has started.
    assert q.note == "asked about 2000 kr"


def test_single_bang_is_medium_and_plain_text_is_a_note():
    assert parse("! just chatting").concern == "medium"
    assert parse("just chatting about 18 kills") == QuickLine(note="just chatting about 18 kills")


def test_empty_line():
    assert parse("   ") == QuickLine()


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåäö", min_size=1, max_size=8)
_lines = st.builds(
    QuickLine,
    handle=st.one_of(st.just(""), st.text(alphabet="abcxyz_019.", min_size=1, max_size=12)),
    age_band=st.sampled_from(("",) + AGE_BANDS),
    topics=st.lists(
        st.sampled_from(["bullying", "sextortion", "grooming", "fraud", "hate", "other-x"]),
        unique=True,
        max_size=4,
    ).map(tuple),
    concern=st.sampled_from(CONCERNS),
    note=st.lists(_word, max_size=6).map(" ".join),
)


@given(_lines)
def test_format_then_parse_round_trips(line):
    assert parse(format_line(line)) == line


@given(st.text(max_size=200))
def test_parse_never_fails_and_keeps_every_word(text):
    q = parse(text)
    assert q.concern in CONCERNS
    assert q.age_band in ("",) + AGE_BANDS
    assert len(q.note) <= len(text)

from datetime import datetime, timedelta

from nettpatrulje.triage import RiskMessage

T0 = datetime(2026, 3, 1, 18, 0)


def _conv(texts, *, step=timedelta(minutes=2), from_contact=True):
    return [
        RiskMessage(id=f"m{i}", text=t, sent_at=T0 + i * step, from_contact=from_contact)
        for i, t in enumerate(texts)
    ]


def test_harmless_gaming_chat_is_none(engine):
    risk = engine.conversation_risk(_conv(["gg", "nice build", "want to play another round?"]))
    assert risk.level == "none" and risk.score == 0.0 and risk.signals == []


def test_grooming_pattern_is_high_and_names_messages(engine):
    messages = _conv(
        [
            "how old are you?",
            "you're so mature for your age",
            "i can give you 800 robux",
            "add me on snap, dont tell your parents",
            "send me a pic without your shirt",
        ]
    )
    risk = engine.conversation_risk(messages)
    assert risk.level == "high"
    assert risk.score >= 0.6
    kinds = {s.signal for s in risk.signals}
    assert {
        "asks_age",
        "flattery",
        "gifts",
        "move_platform",
        "secrecy",
        "requests_pictures",
    } <= kinds
    assert {s.message_id for s in risk.signals} == {m.id for m in messages}


def test_diversity_scores_higher_than_repetition(engine):
    repeated = engine.conversation_risk(_conv(["how old are you?"] * 4))
    diverse = engine.conversation_risk(
        _conv(["how old are you?", "where do you live", "dont tell anyone", "send me a pic"])
    )
    assert diverse.score > repeated.score


def test_old_signals_decay(engine):
    recent = engine.conversation_risk(_conv(["send me a pic", "how old are you"]))
    spread = engine.conversation_risk(
        _conv(["send me a pic", "how old are you"], step=timedelta(days=20))
    )
    assert spread.score < recent.score


def test_multilingual_signals(engine):
    for texts in (
        ["kuinka vanha oot?", "älä kerro vanhemmille", "lähetä kuva"],
        ["hvor gammel er du?", "ikke si det til foreldrene dine", "send meg et bilde"],
        ["hoe oud ben je?", "niet vertellen aan je ouders", "stuur me een foto"],
        ["wie alt bist du?", "sag es niemandem", "schick mir ein foto"],
    ):
        assert engine.conversation_risk(_conv(texts)).level in ("medium", "high")


def test_sextortion_threat_alone_is_medium_or_more(engine):
    risk = engine.conversation_risk(_conv(["if you don't pay i will send them to everyone"]))
    assert risk.level in ("medium", "high")


def test_messages_from_the_young_person_do_not_count(engine):
    risk = engine.conversation_risk(_conv(["how old are you?"], from_contact=False))
    assert risk.level == "none"


def test_the_one_scan_prefilter_agrees_with_every_signal():
    """A message the combined pattern skips must match no signal, and one it
    matches must match one: otherwise risk would be lost (or scans wasted)."""
    from nettpatrulje.channels.simulator import TEXTS
    from nettpatrulje.triage._data import load_json
    from nettpatrulje.triage.model import load_corpus
    from nettpatrulje.triage.risk import _signal_table

    _, table, anything = _signal_table()
    examples = [
        # Each pattern's own text where it is plain words, so every signal is hit.
        p
        for spec in load_json("risk.json")["signals"].values()
        for p in spec["patterns"]
        if p.replace(" ", "").isalnum()
    ]
    texts = [r["text"] for r in load_corpus()] + [t for _, t in TEXTS] + examples
    texts += ["xrobux", "ROBUX!", "dont tell", "(dont tell)", ""]
    hits = 0
    for text in texts:
        any_signal = any(pattern.search(text) for _, pattern in table.values())
        assert bool(anything.search(text)) == any_signal, text
        hits += any_signal
    assert hits >= len(examples)

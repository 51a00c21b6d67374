import json

import pytest

from nettpatrulje.triage import CATEGORIES, FLAGS, URGENCIES
from nettpatrulje.triage.evaluation import evaluate

EMERGENCIES = [
    ("my friend just texted she took all her pills and is saying goodbye", "en"),
    ("kompisen min skriver at han skal ta livet sitt i kveld, han svarer ikke", "nb"),
    ("venen min seier han skal ta livet sitt i natt, han svarar ikkje", "nn"),
    ("kaveri sanoo et se tappaa ittensä tänä yönä eikä vastaa puhelimeen", "fi"),
    ("vinur minn segist ætla að taka líf sitt í nótt og svarar ekki", "is"),
    ("mijn vriend zegt dat hij vannacht zelfmoord gaat plegen en neemt niet op", "nl"),
    ("mon ami dit qu'il va se suicider ce soir et il ne répond plus", "fr"),
    ("mein freund schreibt gerade dass er sich heute nacht umbringen will", "de"),
    ("min kompis säger att han ska ta sitt liv inatt och svarar inte", "sv"),
    ("min ven skriver at han vil tage sit liv i nat og svarer ikke", "da"),
    ("there is a man with a knife attacking people outside the school right now", "en"),
    ("det er en mann med kniv som angriper folk utenfor skolen akkurat nå", "nb"),
]


@pytest.mark.parametrize(("text", "lang"), EMERGENCIES)
def test_clear_emergencies(engine, text, lang):
    result = engine.triage(text)
    assert result.urgency == "emergency", result.explanation
    assert result.category in ("self_harm", "threat_violence")
    assert "imminent" in result.flags


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("he says he will send my nudes to everyone unless I pay, im 15", "sexual_exploitation"),
        ("someone in our discord says he will bring a knife to school", "threat_violence"),
        ("I paid for a phone on a marketplace and the seller blocked me", "fraud"),
        ("a fake profile with my pictures is sending messages to my friends", "harassment_hate"),
        ("there is an account selling pills on snap", "drugs"),
        ("is it illegal to film people in a gym?", "question"),
        ("I want to report that my wallet was stolen", "report_request"),
        ("you are the coolest cops on twitch", "other"),
    ],
)
def test_contract_examples(engine, text, category):
    assert engine.triage(text).category == category


def test_minor_and_sextortion_flags(engine):
    result = engine.triage(
        "han truer med å legge ut nakenbildene mine hvis jeg ikke betaler. jeg er 14"
    )
    assert result.category == "sexual_exploitation"
    assert {"minor", "sextortion"} <= set(result.flags)
    assert result.urgency in ("high", "emergency")


def test_cross_border_relative_to_agency(engine):
    text = "asun Tukholmassa ja joku uhkailee mua"
    assert "cross_border" in engine.triage(text, agency_country="FI").flags
    assert "cross_border" not in engine.triage(text, agency_country="SE").flags
    assert "cross_border" in engine.triage("I live in Sweden and a guy threatens me").flags


def test_result_contract(engine):
    result = engine.triage("hei, takk for hjelpen")
    data = result.to_dict()
    assert set(data) >= {
        "language",
        "category",
        "urgency",
        "flags",
        "redacted_text",
        "pii",
        "explanation",
        "confidence",
    }
    assert data["category"] in CATEGORIES and data["urgency"] in URGENCIES
    assert all(f in FLAGS for f in data["flags"]) and data["flags"] == sorted(data["flags"])
    assert isinstance(result.explanation, str) and result.explanation
    json.dumps(data)


def test_engine_is_cached(engine):
    from nettpatrulje.triage import get_engine

    assert get_engine() is engine


def test_dev_set_targets(engine, dev_rows):
    m = evaluate(engine, dev_rows)
    assert m["emergency_recall"] >= 0.97, m["emergency_recall"]
    assert m["emergency_precision"] >= 0.75
    assert m["category_macro_f1"] >= 0.80
    assert m["language_accuracy"] >= 0.97
    assert m["severe_as_other_or_question"] == 0

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.fi import hetu as fi_hetu
from stdnum.is_ import kennitala as is_kennitala
from stdnum.nl import bsn as nl_bsn
from stdnum.no import fodselsnummer as no_fnr
from stdnum.se import personnummer as se_pnr

from nettpatrulje.triage.pii import PiiDetector, redact

DETECTOR = PiiDetector()

# Valid and invalid examples from python-stdnum's own doctests.
VALID_IDS = [
    ("fødselsnummer 151086 95088", "NO", "NO"),
    ("hetu 131052-308T", "FI", "FI"),
    ("BSN 111222333", "NL", "NL"),
    ("bsn 1112.22.333", "NL", "NL"),
    ("rijksregisternummer 85.07.30-033.28", "BE", "BE"),
    ("nn 85073003328", "BE", "BE"),
    ("kennitala 120174-3399", "IS", "IS"),
    ("personnummer 880320-0016", "SE", "SE"),
    ("CPR 211062-5629", "DK", "DK"),
    ("Steuer-IdNr 36 574 261 809", "DE", "DE"),
]
INVALID_IDS = [
    ("fødselsnummer 15108695077", "NO"),
    ("hetu 131052-308U", "FI"),
    ("hetu 310252-308Y", "FI"),
    ("BSN 1112.52.333", "NL"),
    ("nn 12345678901", "BE"),
    ("kennitala 530575-0299", "IS"),
    ("personnummer 880320-0018", "SE"),
    ("CPR 511062-5629", "DK"),
    ("IdNr 36574261890", "DE"),
]


@pytest.mark.parametrize(("text", "country", "subtype"), VALID_IDS)
def test_valid_national_ids(text, country, subtype):
    hits = [h for h in DETECTOR.find(text, country) if h.type == "national_id"]
    assert len(hits) == 1
    assert hits[0].subtype == subtype
    assert text[hits[0].start : hits[0].end].strip()[0].isdigit()


@pytest.mark.parametrize(("text", "country"), INVALID_IDS)
def test_checksum_failures_are_not_national_ids(text, country):
    assert not [h for h in DETECTOR.find(text, country) if h.type == "national_id"]


_CHECKERS = {
    "NO": no_fnr.is_valid,
    "FI": fi_hetu.is_valid,
    "NL": nl_bsn.is_valid,
    "BE": be_nn.is_valid,
    "IS": is_kennitala.is_valid,
    "SE": se_pnr.is_valid,
    "DE": de_idnr.is_valid,
}


def _passes_any(digits: str) -> bool:
    if any(check(digits) for check in _CHECKERS.values()):
        return True
    return dk_cpr.is_valid(digits) and dk_cpr.checksum(digits) == 0


@settings(max_examples=300, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=9, max_size=12),
    country=st.sampled_from(["NO", "FI", "NL", "BE", "IS", "SE", "DK", "DE"]),
)
def test_random_numbers_failing_checksums_are_never_ids(digits, country):
    if _passes_any(digits):
        return
    text = f"id-nummer {digits} ok"
    assert not [h for h in DETECTOR.find(text, country) if h.type == "national_id"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_card_numbers_need_luhn(digits):
    hits = [h for h in DETECTOR.find(f"kort {digits}", "NO") if h.type == "payment_card"]
    if not luhn.is_valid(digits):
        assert not hits


@pytest.mark.parametrize(
    "card", ["4111 1111 1111 1111", "5500-0000-0000-0004", "4012888888881881", "378282246310005"]
)
def test_valid_cards(card):
    text = f"kortet mitt er {card} hjelp"
    hits = DETECTOR.find(text, "NO")
    assert [h.type for h in hits] == ["payment_card"]
    assert text[hits[0].start : hits[0].end] == card


def test_invalid_card_is_not_a_card():
    assert not [h for h in DETECTOR.find("4111 1111 1111 1112", "NO") if h.type == "payment_card"]


@pytest.mark.parametrize(
    "iban",
    [
        "NO93 8601 1117 947",
        "FI21 1234 5600 0007 85",
        "NL20INGB0001234567",
        "DE44 5001 0517 5407 3249 31",
        "BE71 0961 2345 6769",
    ],
)
def test_valid_ibans(iban):
    text = f"betalte til {iban} i går"
    hits = DETECTOR.find(text, "NO")
    assert [h.type for h in hits] == ["iban"]
    assert text[hits[0].start : hits[0].end] == iban


def test_invalid_iban_is_not_an_iban():
    assert not [h for h in DETECTOR.find("NO93 8601 1117 948", "NO") if h.type == "iban"]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("ring meg på 412 34 567", "NO"),
        ("numero 040 718 2296", "FI"),
        ("síminn 862 4417", "IS"),
        ("bel 06-12345678", "NL"),
        ("whatsapp +44 7700 900123", "NO"),
    ],
)
def test_phone_numbers(text, country):
    assert [h.type for h in DETECTOR.find(text, country)] == ["phone"]


def test_finnish_phone_is_not_an_identity_number():
    # "040718" reads as a date; the phone grouping decides.
    assert [h.type for h in DETECTOR.find("soita 040 718 2295", "FI")] == ["phone"]


def test_email_and_redaction():
    text = "skriv til ola.nordmann@example.no eller 412 34 567"
    hits = DETECTOR.find(text, "NO")
    assert [h.type for h in hits] == ["email", "phone"]
    assert redact(text, hits) == "skriv til [EMAIL] eller [PHONE]"


def test_engine_flags_personal_data_and_offsets(engine):
    text = "min fødselsnummer er 15108695088, ring 412 34 567"
    result = engine.triage(text, agency_country="NO")
    assert "personal_data" in result.flags
    assert [(h.type, text[h.start : h.end]) for h in result.pii] == [
        ("national_id", "15108695088"),
        ("phone", "412 34 567"),
    ]
    assert result.redacted_text == "min fødselsnummer er [NATIONAL_ID], ring [PHONE]"
    assert not re.search(r"\d{5}", result.redacted_text)

import pytest

FIGURATIVE = [
    ("this boss is killing me", None),
    ("I'm dead 😂", None),
    ("i'm literally dying 😂 that clip", None),
    ("jeg dør av latter", "NO"),
    ("tää peli tappaa mut", "FI"),
    ("kuolin nauruun 😂😂", "FI"),
    ("ég er að deyja úr hlátri 😂", "IS"),
    ("mdr ce boss m'a tué trois fois", "BE"),
    ("ik lig dubbel 😂", "NL"),
    ("jag dör av skratt", None),
    ("gg ez we destroyed you next round lol 💀", None),
]


@pytest.mark.parametrize(("text", "country"), FIGURATIVE)
def test_figurative_language_is_not_an_emergency(engine, text, country):
    result = engine.triage(text, agency_country=country)
    assert result.urgency != "emergency"
    assert result.category not in ("self_harm",)
    assert "suicide_risk" not in result.flags


@pytest.mark.parametrize(
    "text", ["this boss is killing me", "jeg dør av latter 😂", "tää peli tappaa mut"]
)
def test_figurative_language_is_low_other(engine, text):
    result = engine.triage(text)
    assert (result.category, result.urgency) == ("other", "low")


def test_figurative_cue_does_not_hide_a_real_threat(engine):
    result = engine.triage(
        "lol he says he will bring a knife to school tomorrow and stab me, he knows where i live"
    )
    assert result.category == "threat_violence"
    assert result.urgency in ("high", "emergency")

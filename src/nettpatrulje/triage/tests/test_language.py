import pytest

from nettpatrulje.triage import LANGUAGES

CASES = [
    ("Hei, eg lurer på kva eg skal gjere no, nokon sender meg stygge meldingar", "nn"),
    ("Eg veit ikkje korleis eg skal seie det til foreldra mine", "nn"),
    ("Jeg vet ikke hva jeg skal gjøre, noen truer meg på snap", "nb"),
    ("Hvordan anmelder jeg at sykkelen min ble stjålet?", "nb"),
    ("Jag vet inte vad jag ska göra, någon hotar mig", "sv"),
    ("Jeg ved ikke hvad jeg skal gøre, nogen truer mig", "da"),
    ("En tiedä mitä mun pitäis tehdä, joku uhkailee mua", "fi"),
    ("Ég veit ekki hvað ég á að gera, einhver er að hóta mér", "is"),
    ("Ik weet niet wat ik moet doen, iemand bedreigt me", "nl"),
    ("Je ne sais pas quoi faire, quelqu'un me menace", "fr"),
    ("Ich weiß nicht was ich tun soll, jemand bedroht mich", "de"),
    ("this boss is killing me", "en"),
    ("someone keeps threatening me on discord", "en"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_language_of_chat_sentences(engine, text, expected):
    assert engine.triage(text).language == expected


@pytest.mark.parametrize("text", ["", "   ", "👋👮", "12345", "😂😂😂 🔥", "112"])
def test_no_words_is_undetermined(engine, text):
    assert engine.triage(text).language == "und"


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("hei", None, "nb"),
        ("hei", "FI", "fi"),
        ("moi", None, "fi"),
        ("hæ", None, "is"),
        ("hoi", None, "nl"),
        ("hej", "DK", "da"),
    ],
)
def test_one_word_greetings(engine, text, country, expected):
    assert engine.triage(text, agency_country=country).language == expected


def test_languages_constant_matches_contract():
    assert set(LANGUAGES) == {"nb", "nn", "fi", "nl", "fr", "is", "en", "sv", "da", "de"}


NORWEGIAN = [
    ("eg betalte for ein sykkel på finn men seljaren svarar ikkje", "nn"),
    ("kva skal eg gjere no, ho har ikkje svart sidan i går", "nn"),
    ("nokon har laga ein falsk profil med bileta mine", "nn"),
    ("korleis melder eg frå om mobbing på skulen?", "nn"),
    ("eg veit ikkje kven som sende meldinga", "nn"),
    ("dei har delt eit bilete av meg i ei gruppe", "nn"),
    ("jeg betalte for en sykkel på finn men selgeren svarer ikke", "nb"),
    ("hva skal jeg gjøre nå, hun har ikke svart siden i går", "nb"),
    ("noen har laget en falsk profil med bildene mine", "nb"),
    ("hvordan melder jeg fra om mobbing på skolen?", "nb"),
    ("jeg vet ikke hvem som sendte meldingen", "nb"),
    ("de har delt et bilde av meg i en gruppe, hva gjør jeg", "nb"),
]


@pytest.mark.parametrize(("text", "expected"), NORWEGIAN)
def test_bokmal_and_nynorsk(engine, text, expected):
    assert engine.triage(text).language == expected

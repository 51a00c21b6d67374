"""Ordinary messages must never become emergencies or severe categories.

Each language has everyday messages with the words that once fooled the triage: time
words ("nå nettopp", "tonight", "gerade"), meetings with friends, pictures, game talk.
They are written for this test and are not in the training corpus.
"""

from __future__ import annotations

import pytest

from nettpatrulje.triage.constants import SEVERE_CATEGORIES

ORDINARY: dict[str, list[str]] = {
    "nb": [
        "Han har sendt en ny melding nå nettopp",
        "Hvordan sjekker jeg om en nettbutikk er ekte?",
        "hei, når har dere åpent i dag?",
        "jeg mistet nøklene mine på bussen i kveld, har noen levert dem inn?",
        "kan jeg sende dere et bilde av skjermbildet?",
        "takk for i dag, det var et bra foredrag på skolen",
        "mamma sier hei til dere",
        "hun svarte meg endelig nå",
        "vi skal på kino i kveld, gleder meg",
        "jeg har glemt passordet til instagram, hva gjør jeg",
        "bussen var en time forsinket i dag, kan dere gjøre noe med det?",
        "dette spillet dreper meg, jeg klarer ikke bossen",
        "jeg døde av latter da jeg så videoen deres",
        "har dere en tiktok-konto jeg kan følge?",
        "hvordan lager jeg et sterkt passord?",
        "telefonen min er knust, kan jeg fortsatt logge inn på snap?",
        "han ringte meg akkurat nå og spurte om leksene",
        "jeg skal møte venninna mi etter skolen i dag",
        "kan dere komme på besøk til klassen vår i morgen?",
        "jeg fikk en ny jobb i dag!!",
    ],
    "nn": [
        "Han har sendt ei ny melding no nettopp",
        "korleis kan eg sjå om ein nettbutikk er ekte?",
        "kva tid opnar de i morgon?",
        "eg mista lommeboka på skulen i dag, har nokon levert ho inn?",
        "takk for at de kom og snakka med klassen vår",
        "mor mi seier hei til dykk",
        "eg skal møte venene mine i kveld",
        "kan eg sende eit bilete av skjermen?",
        "dette spelet drep meg heilt, eg klarar ikkje banen",
        "eg har gløymt passordet mitt på snap, kva gjer eg no",
        "bussen kom ikkje i dag heller, kven skal eg klage til?",
        "ho svara meg endeleg no",
        "eg heldt på å døy av latter av videoen dykkar",
        "korleis lagar eg eit sterkt passord?",
        "eg fekk ny jobb i dag!",
    ],
    "sv": [
        "Han har skickat ett nytt meddelande nyss",
        "hur kollar jag om en webbshop är äkta?",
        "när har ni öppet idag?",
        "jag tappade mina nycklar på bussen ikväll, har någon lämnat in dem?",
        "tack för att ni kom till skolan idag",
        "mamma hälsar",
        "vi ska på bio ikväll",
        "kan jag skicka en bild på skärmen?",
        "det här spelet dödar mig, klarar inte bossen",
        "jag har glömt mitt lösenord till instagram",
        "hon svarade mig äntligen nu",
        "hur gör man ett starkt lösenord?",
        "han ringde mig precis och frågade om läxan",
        "jag ska träffa min kompis efter skolan idag",
    ],
    "da": [
        "Han har sendt en ny besked lige nu",
        "hvordan tjekker jeg om en webshop er ægte?",
        "hvornår har I åbent i dag?",
        "jeg tabte mine nøgler i bussen i aften, har nogen afleveret dem?",
        "tak fordi I kom på skolen i dag",
        "min mor siger hej",
        "vi skal i biografen i aften",
        "kan jeg sende et billede af skærmen?",
        "det her spil slår mig ihjel, jeg kan ikke klare bossen",
        "jeg har glemt min adgangskode til instagram",
        "hun svarede mig endelig nu",
        "hvordan laver man en stærk adgangskode?",
        "han ringede lige og spurgte om lektierne",
        "jeg skal mødes med min veninde efter skole i dag",
    ],
    "fi": [
        "se lähetti just uuden viestin",
        "miten tarkistan onko nettikauppa aito?",
        "milloin ootte auki tänään?",
        "hukkasin avaimet bussiin tänä iltana, onko joku tuonu ne?",
        "kiitos kun kävitte meidän koulussa tänään",
        "äiti sanoo moi",
        "mennään leffaan tänä iltana",
        "voinko lähettää kuvan näytöstä?",
        "tää peli tappaa mut, en pääse pomosta ohi",
        "unohdin instan salasanan",
        "se vastas mulle vihdoin nyt",
        "miten tehään vahva salasana?",
        "se soitti just ja kysy läksyistä",
        "nään kaverin kaa koulun jälkeen tänään",
    ],
    "nl": [
        "Hij heeft net een nieuw bericht gestuurd",
        "Hoe controleer ik of een webwinkel echt is?",
        "hoe laat zijn jullie vandaag open?",
        "ik ben mijn sleutels kwijt in de bus vanavond, heeft iemand ze ingeleverd?",
        "bedankt dat jullie vandaag op school waren",
        "mijn moeder zegt hoi",
        "we gaan vanavond naar de bios",
        "mag ik een foto van het scherm sturen?",
        "dit spel maakt me kapot, ik kom niet langs de baas",
        "ik ben mijn wachtwoord van instagram vergeten",
        "ze heeft me eindelijk teruggestuurd nu",
        "hoe maak ik een sterk wachtwoord?",
        "hij belde me net over het huiswerk",
        "ik spreek na school af met mijn vriendin",
    ],
    "fr": [
        "il vient de m'envoyer un nouveau message",
        "comment vérifier si une boutique en ligne est vraie ?",
        "vous êtes ouverts à quelle heure aujourd'hui ?",
        "j'ai perdu mes clés dans le bus ce soir, quelqu'un les a rapportées ?",
        "merci d'être venus à l'école aujourd'hui",
        "ma mère vous dit bonjour",
        "on va au cinéma ce soir",
        "je peux envoyer une photo de l'écran ?",
        "ce jeu me tue, j'arrive pas à battre le boss",
        "j'ai oublié mon mot de passe insta",
        "elle m'a enfin répondu maintenant",
        "comment on fait un mot de passe solide ?",
        "il vient de m'appeler pour les devoirs",
        "je retrouve ma copine après l'école aujourd'hui",
    ],
    "is": [
        "hann var að senda ný skilaboð rétt í þessu",
        "hvernig athuga ég hvort netverslun sé ekta?",
        "hvenær er opið hjá ykkur í dag?",
        "ég týndi lyklunum í strætó í kvöld, hefur einhver skilað þeim?",
        "takk fyrir að koma í skólann í dag",
        "mamma biður að heilsa",
        "við ætlum í bíó í kvöld",
        "má ég senda mynd af skjánum?",
        "þessi leikur er að drepa mig, ég kemst ekki framhjá bossinum",
        "ég gleymdi lykilorðinu á instagram",
        "hún svaraði mér loksins núna",
        "hvernig bý ég til sterkt lykilorð?",
        "hann hringdi rétt áðan og spurði um heimavinnuna",
        "ég ætla að hitta vinkonu mína eftir skóla í dag",
    ],
    "de": [
        "Er hat gerade eine neue Nachricht geschickt",
        "wie prüfe ich ob ein onlineshop echt ist?",
        "wann habt ihr heute offen?",
        "ich habe heute abend meine schlüssel im bus verloren, hat sie jemand abgegeben?",
        "danke dass ihr heute in der schule wart",
        "meine mutter lässt grüßen",
        "wir gehen heute abend ins kino",
        "kann ich ein foto vom bildschirm schicken?",
        "dieses spiel bringt mich um, ich schaffe den boss nicht",
        "ich habe mein instagram passwort vergessen",
        "sie hat mir endlich jetzt geantwortet",
        "wie macht man ein sicheres passwort?",
        "er hat mich gerade wegen der hausaufgaben angerufen",
        "ich treffe meine freundin heute nach der schule",
    ],
    "en": [
        "he just sent a new message",
        "how do i check if an online shop is real?",
        "what time are you open today?",
        "i lost my keys on the bus tonight, has anyone handed them in?",
        "thanks for visiting our school today",
        "my mum says hi",
        "we're going to the cinema tonight",
        "can i send you a screenshot?",
        "this game is killing me, can't beat the boss",
        "i forgot my instagram password",
        "she finally replied to me now",
        "how do i make a strong password?",
        "he just called me about the homework",
        "i'm meeting my friend after school today",
    ],
}

CASES = [(lang, text) for lang, texts in ORDINARY.items() for text in texts]


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_ordinary_message_is_not_an_emergency(engine, lang, text):
    result = engine.triage(text)
    assert result.urgency != "emergency", result.explanation
    assert result.category not in SEVERE_CATEGORIES, result.explanation
    assert "imminent" not in result.flags or result.urgency != "high", result.explanation


@pytest.mark.parametrize("lang", sorted(ORDINARY))
def test_ordinary_messages_keep_their_language(engine, lang):
    texts = ORDINARY[lang]
    right = sum(engine.triage(t).language == lang for t in texts)
    assert right >= len(texts) - 1, (lang, right, len(texts))


@pytest.mark.parametrize(
    ("text", "language", "categories"),
    [
        ("Han har sendt en ny melding nå nettopp", "nb", {"other", "harassment_hate"}),
        ("Hvordan sjekker jeg om en nettbutikk er ekte?", "nb", {"question", "fraud"}),
        ("Hoe controleer ik of een webwinkel echt is?", "nl", {"question", "fraud"}),
    ],
)
def test_former_false_alarms(engine, text, language, categories):
    result = engine.triage(text)
    assert result.language == language
    assert result.category in categories, result.explanation
    assert result.urgency in ("low", "normal"), result.explanation

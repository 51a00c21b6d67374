"""Automatic replies: emergency guidance and out-of-hours notices.

The agency's own texts (CannedResponse with purpose "emergency" or
"out_of_hours") come first; these defaults make sure every contract language
has an answer even in an agency that configured none. 112 is the emergency
number in every country we serve.
"""

from __future__ import annotations

EMERGENCY_DEFAULTS = {
    "nb": "Er noen i fare nå, ring 112. Vi har sett meldingen din og følger den opp så raskt vi kan.",
    "nn": "Er nokon i fare no, ring 112. Vi har sett meldinga di og følgjer henne opp så fort vi kan.",
    "en": "If someone is in danger right now, call 112. We have seen your message and are following it up as fast as we can.",
    "fi": "Jos joku on vaarassa nyt, soita 112. Olemme nähneet viestisi ja hoidamme asiaa niin nopeasti kuin voimme.",
    "nl": "Is iemand nu in gevaar, bel dan 112. We hebben je bericht gezien en pakken het zo snel mogelijk op.",
    "fr": "Si quelqu'un est en danger maintenant, appelle le 112. Nous avons vu ton message et nous le traitons au plus vite.",
    "is": "Ef einhver er í hættu núna, hringdu í 112. Við höfum séð skilaboðin þín og bregðumst við eins fljótt og við getum.",
    "sv": "Om någon är i fara just nu, ring 112. Vi har sett ditt meddelande och följer upp det så snabbt vi kan.",
    "da": "Er nogen i fare lige nu, så ring 112. Vi har set din besked og følger op så hurtigt, vi kan.",
    "de": "Wenn jemand jetzt in Gefahr ist, ruf 112 an. Wir haben deine Nachricht gesehen und kümmern uns so schnell wie möglich darum.",
}

# The Norwegian online patrol is not an emergency service; the seed's facts.
NOT_EMERGENCY_SERVICE = {
    "nb": " Nettpatruljen er ikke en nødtjeneste.",
    "nn": " Nettpatruljen er ikkje ei naudteneste.",
    "en": " The online patrol is not an emergency service.",
}

OUT_OF_HOURS_DEFAULTS = {
    "nb": "Takk for meldingen! Vi er bemannet på dagtid og svarer deg så snart vi er på jobb. Er noen i fare, ring 112.",
    "nn": "Takk for meldinga! Vi er bemanna på dagtid og svarar deg så snart vi er på jobb. Er nokon i fare, ring 112.",
    "en": "Thank you for your message! We are staffed in daytime and will answer as soon as we are on duty. If someone is in danger, call 112.",
    "fi": "Kiitos viestistä! Päivystämme päiväsaikaan ja vastaamme heti kun olemme töissä. Jos joku on vaarassa, soita 112.",
    "nl": "Bedankt voor je bericht! We zijn overdag bereikbaar en antwoorden zodra we weer aan het werk zijn. Is iemand in gevaar, bel 112.",
    "fr": "Merci pour ton message ! Nous sommes présents en journée et te répondrons dès notre retour. Si quelqu'un est en danger, appelle le 112.",
    "is": "Takk fyrir skilaboðin! Við erum á vakt á daginn og svörum þér um leið og við mætum. Ef einhver er í hættu, hringdu í 112.",
    "sv": "Tack för ditt meddelande! Vi är bemannade dagtid och svarar så snart vi är i tjänst. Om någon är i fara, ring 112.",
    "da": "Tak for din besked! Vi er bemandet i dagtimerne og svarer, så snart vi er på arbejde. Er nogen i fare, så ring 112.",
    "de": "Danke für deine Nachricht! Wir sind tagsüber erreichbar und antworten, sobald wir im Dienst sind. Ist jemand in Gefahr, ruf 112 an.",
}


def default_text(purpose: str, language: str, country: str) -> str:
    table = EMERGENCY_DEFAULTS if purpose == "emergency" else OUT_OF_HOURS_DEFAULTS
    text = table.get(language) or table["en"]
    if purpose == "emergency" and country == "NO":
        text += NOT_EMERGENCY_SERVICE.get(language, NOT_EMERGENCY_SERVICE["en"])
    return text

"""Demo data: five agencies of the action week, their people, channels, and a
month of realistic conversations. Idempotent: every object has a natural key,
and messages go through the real ingestion path with fixed platform ids, so a
second run finds them all as duplicates."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from nettpatrulje.accounts.models import Role
from nettpatrulje.accounts.services import agency_create, user_create
from nettpatrulje.channels.base import Attachment, Inbound, Kind
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.channels.services import channel_create
from nettpatrulje.inbox.models import CannedResponse, Conversation, Label, Message, OutboxItem
from nettpatrulje.inbox.services import inbound_apply
from nettpatrulje.patrols.demo import seed_patrols

DEMO_PASSWORD = "demo-nettpatrulje-2026"

AGENCIES = [
    # slug, name, country, time zone, language
    ("kripos", "Kripos – Nettpatruljen", "NO", "Europe/Oslo", "nb"),
    ("poliisi", "Poliisi – Nettipoliisi", "FI", "Europe/Helsinki", "fi"),
    ("politie", "Politie – Online wijkagent", "NL", "Europe/Amsterdam", "nl"),
    ("police-be", "Police fédérale – Cyberpatrouille", "BE", "Europe/Brussels", "fr"),
    ("logreglan", "Lögreglan – Netlögga", "IS", "Atlantic/Reykjavik", "is"),
]

USERS = [
    # username, agency, roles, first, last, language
    ("ola", "kripos", [Role.OFFICER], "Ola", "Nordmann", "nb"),
    ("kari", "kripos", [Role.SUPERVISOR, Role.OFFICER], "Kari", "Berg", "nb"),
    ("mentor", "kripos", [Role.MENTOR, Role.OFFICER], "Ingrid", "Mentor", "nb"),
    ("coordinator", "kripos", [Role.COORDINATOR], "Lars", "Koordinator", "en"),
    ("analyst", "kripos", [Role.ANALYST], "Sara", "Analytiker", "en"),
    ("admin", "kripos", [Role.ADMIN, Role.SUPERVISOR], "Admin", "Kripos", "en"),
    ("aino", "poliisi", [Role.OFFICER], "Aino", "Virtanen", "en"),
    ("daan", "politie", [Role.OFFICER], "Daan", "de Vries", "en"),
    ("camille", "police-be", [Role.OFFICER], "Camille", "Dubois", "en"),
    ("sigga", "logreglan", [Role.OFFICER], "Sigríður", "Jónsdóttir", "en"),
]

CHANNELS = [
    # agency, platform, account id, name
    ("kripos", Platform.MESSENGER, "100000000000001", "Politiets nettpatrulje (Facebook)"),
    ("kripos", Platform.INSTAGRAM, "17841400000000001", "@politietsnettpatrulje"),
    ("poliisi", Platform.MESSENGER, "100000000000002", "Nettipoliisi (Facebook)"),
    ("poliisi", Platform.INSTAGRAM, "17841400000000002", "@nettipoliisi"),
    ("politie", Platform.INSTAGRAM, "17841400000000003", "@onlinewijkagent"),
    ("police-be", Platform.MESSENGER, "100000000000004", "Cyberpatrouille (Facebook)"),
    ("logreglan", Platform.MESSENGER, "100000000000005", "Netlöggan (Facebook)"),
]

# The demo's Discord application signs interactions with this key; only its
# public half is configured, as at Discord.
DEMO_DISCORD_PUBLIC_KEY = "8d1b5c9a3f1e0b2d4c6a8e0f1b3d5c7a9e1f3b5d7c9a1e3f5b7d9c1a3e5f7b9d"

GAMING_CHANNELS = [
    # agency, platform, account id, name, config, secrets
    (
        "kripos",
        Platform.TWITCH,
        "900000001",
        "twitch.tv/politietsnettpatrulje",
        {"client_id": "demo-client-id"},
        {"eventsub_secret": "demo-eventsub-secret-kripos", "access_token": "demo-twitch-token"},
    ),
    (
        "kripos",
        Platform.DISCORD,
        "1180000000000000001",
        "Politiets nettpatrulje (Discord)",
        {
            "public_key": DEMO_DISCORD_PUBLIC_KEY,
            "guild_id": "1181000000000000001",
            "watched_channel_ids": ["1182000000000000001"],
        },
        {"bot_token": "demo-discord-bot-token"},
    ),
    (
        "kripos",
        Platform.WIDGET,
        "wk_demo_kripos",
        "Nettpatruljen (politiet.no web chat)",
        {
            "origins": ["http://127.0.0.1:8000", "http://localhost:8000"],
            "non_emergency_number": "02800",
        },
        {},
    ),
]

LABELS = ["follow-up", "school", "sextortion", "fraud", "referred"]

CANNED = [
    (
        "Thanks for the tip",
        "nb",
        "Takk for tipset! Vi ser på saken. Husk at vi ikke er en nødtjeneste: ring 112 hvis noen er i fare.",
    ),
    (
        "Thanks for the tip",
        "en",
        "Thank you for the tip! We will look into it. Remember we are not an emergency service: call 112 if someone is in danger.",
    ),
    (
        "Thanks for the tip",
        "fi",
        "Kiitos vinkistä! Selvitämme asiaa. Muistathan, ettemme ole hätäpalvelu: soita 112, jos joku on vaarassa.",
    ),
    (
        "How to report",
        "nb",
        "Vi kan ikke ta imot anmeldelser her. Du kan anmelde på politiet.no/anmeld eller ringe 02800.",
    ),
    (
        "How to report",
        "en",
        "We cannot take formal police reports here. You can report at politiet.no/anmeld or call 02800.",
    ),
    (
        "Sextortion advice",
        "nb",
        "Ikke betal, og ikke send flere bilder. Ta skjermbilder av samtalen, blokker personen og snakk med en voksen du stoler på. Vi hjelper deg videre.",
    ),
    (
        "Sextortion advice",
        "en",
        "Do not pay and do not send more pictures. Take screenshots of the chat, block the person and talk to an adult you trust. We will help you further.",
    ),
    ("Greeting", "nb", "Hei! Du snakker med politiets nettpatrulje. Hva kan vi hjelpe deg med?"),
    ("Greeting", "en", "Hi! You are talking to the police online patrol. How can we help?"),
]

AUTOMATIC = [
    (
        "Emergency",
        "nb",
        "emergency",
        "Hvis noen er i fare nå: ring 112. Nettpatruljen er ikke en nødtjeneste, men vi har sett meldingen din.",
    ),
    (
        "Emergency",
        "en",
        "emergency",
        "If someone is in danger right now, call 112. The online patrol is not an emergency service, but we have seen your message.",
    ),
    (
        "Out of hours",
        "nb",
        "out_of_hours",
        "Nettpatruljen er bemannet på dagtid. Vi svarer deg så snart vi er på jobb. Er noen i fare: ring 112.",
    ),
    (
        "Out of hours",
        "en",
        "out_of_hours",
        "The online patrol is staffed in daytime. We will answer as soon as we are on duty. If someone is in danger, call 112.",
    ),
]

# (agency, platform, language, [inbound texts], officer reply or None)
CONVERSATIONS = [
    (
        "kripos",
        Platform.INSTAGRAM,
        [
            "hei, en fyr på snap sier han sender nakenbilder av meg til alle vennene mine hvis jeg ikke vipper 2000 kr innen i kveld. jeg er 15",
            "hva skal jeg gjøre??",
        ],
        None,
    ),
    (
        "kripos",
        Platform.MESSENGER,
        ["Hei! Er det lov å filme folk på treningssenteret og legge det ut?"],
        "Hei! Å filme andre uten samtykke og dele det kan være ulovlig. Spør alltid før du filmer eller deler.",
    ),
    (
        "kripos",
        Platform.MESSENGER,
        [
            "jeg kjøpte en ps5 på finn.no for 4500 kr og selgeren har blokkert meg",
            "kontonummeret han brukte var 1503 11 12345",
        ],
        None,
    ),
    (
        "kripos",
        Platform.INSTAGRAM,
        ["dere er de kuleste politifolkene på twitch 😎"],
        "Tusen takk! Vi sees på neste stream 👮",
    ),
    (
        "kripos",
        Platform.INSTAGRAM,
        ["noen i discorden vår skriver at han skal ta med kniv på skolen i morgen"],
        None,
    ),
    ("kripos", Platform.MESSENGER, ["jeg vil anmelde at sykkelen min ble stjålet i går"], None),
    (
        "kripos",
        Platform.MESSENGER,
        ["eg trur nokon har laga ein falsk profil med bileta mine på insta", "kva kan eg gjere?"],
        None,
    ),
    (
        "kripos",
        Platform.INSTAGRAM,
        ["this level is literally killing me 😂 love your streams"],
        None,
    ),
    (
        "kripos",
        Platform.MESSENGER,
        [
            "Hello, I live in Sweden but a Norwegian account is selling pills on snapchat to kids at my school"
        ],
        None,
    ),
    (
        "poliisi",
        Platform.MESSENGER,
        ["Moi, joku myy huumeita snäpissä mun koulun oppilaille"],
        None,
    ),
    (
        "poliisi",
        Platform.INSTAGRAM,
        ["Mun kaveri sano että se haluu tappaa ittensä tänään, mitä mä teen"],
        None,
    ),
    (
        "poliisi",
        Platform.INSTAGRAM,
        ["kiitos avusta eilen!"],
        "Ole hyvä! Ota yhteyttä milloin vain.",
    ),
    (
        "politie",
        Platform.INSTAGRAM,
        ["Iemand dreigt mijn foto's online te zetten als ik niet betaal. Ik ben 14."],
        None,
    ),
    (
        "police-be",
        Platform.MESSENGER,
        ["Bonjour, quelqu'un m'insulte tous les jours sur Instagram, je fais quoi ?"],
        None,
    ),
    ("logreglan", Platform.MESSENGER, ["Hæ, einhver er að selja dóp á snapchat"], None),
]


@transaction.atomic
def seed_demo(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    agencies = {
        slug: agency_create(slug=slug, name=name, country=cc, timezone_name=tz, language=lang)
        for slug, name, cc, tz, lang in AGENCIES
    }
    for username, slug, roles, first, last, lang in USERS:
        user_create(
            username=username,
            agency=agencies[slug],
            roles=[r.value for r in roles],
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            language=lang,
            email=f"{username}@demo.invalid",
        )
    channels = {}
    for slug, platform, account_id, name, config, secrets in GAMING_CHANNELS:
        channel_create(
            agency=agencies[slug],
            platform=platform,
            account_id=account_id,
            name=name,
            config=config,
            secrets=secrets,
        )
    for slug, platform, account_id, name in CHANNELS:
        channels[(slug, platform)] = channel_create(
            agency=agencies[slug],
            platform=platform,
            account_id=account_id,
            token=f"demo-token-{slug}-{platform}",
            name=name,
        )
    for agency in agencies.values():
        for name in LABELS:
            Label.objects.get_or_create(agency=agency, name=name)
        for title, lang, text in CANNED:
            CannedResponse.objects.get_or_create(
                agency=agency, title=title, language=lang, defaults={"text": text}
            )
        for title, lang, purpose, text in AUTOMATIC:
            CannedResponse.objects.get_or_create(
                agency=agency, title=title, language=lang, purpose=purpose, defaults={"text": text}
            )
    created = _seed_conversations(channels, agencies, now)
    seed_patrols(agencies=agencies, now=now)
    return {
        "agencies": len(agencies),
        "users": len(USERS),
        "channels": len(channels),
        "messages": created,
    }


def _seed_conversations(channels: dict, agencies: dict, now) -> int:
    rng = random.Random(2018)  # fixed: the same demo every time
    created = 0
    for index, (slug, platform, texts, reply) in enumerate(CONVERSATIONS):
        channel: Channel = channels[(slug, platform)]
        contact = f"demo{index:03d}{rng.randint(10**9, 10**10 - 1)}"
        started = now - timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
        for n, text in enumerate(texts):
            item = Inbound(
                kind=Kind.MESSAGE,
                account_id=channel.account_id,
                contact_id=contact,
                sent_at=started + timedelta(minutes=n * 2),
                mid=f"m_demo_{index}_{n}",
                text=text,
            )
            if inbound_apply(channel=channel, item=item) == "created":
                created += 1
        if index % 5 == 3:
            item = Inbound(
                kind=Kind.MESSAGE,
                account_id=channel.account_id,
                contact_id=contact,
                sent_at=started + timedelta(minutes=5),
                mid=f"m_demo_{index}_img",
                attachments=(Attachment(type="image", url="https://lookaside.example/demo.jpg"),),
            )
            created += inbound_apply(channel=channel, item=item) == "created"
        if reply:
            _seed_reply(
                channel, contact, reply, started + timedelta(minutes=15), f"m_demo_{index}_reply"
            )
    return created


def _seed_reply(channel: Channel, contact: str, text: str, when, mid: str) -> None:
    conversation = Conversation.objects.get(channel=channel, thread_key=contact)
    if Message.objects.filter(channel=channel, platform_message_id=mid).exists():
        return
    officer = channel.agency.users.filter(groups__name=Role.OFFICER).first()
    message = Message.objects.create(
        agency_id=channel.agency_id,
        conversation=conversation,
        channel=channel,
        direction=Message.Direction.OUTBOUND,
        text=text,
        redacted_text=text,
        sent_at=when,
        author=officer,
        platform_message_id=mid,
        delivered_at=when + timedelta(seconds=3),
    )
    OutboxItem.objects.create(
        agency_id=channel.agency_id,
        message=message,
        channel=channel,
        recipient_id=contact,
        state=OutboxItem.State.SENT,
        attempts=1,
        sent_at=when,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        waiting_since=None,
        first_response_at=when,
        last_message_at=when,
        status=Conversation.Status.PENDING,
    )

"""Demo data for patrols and the methods library: a finished five-country action
week (EMPACT Action Week 2023, 20–24 November) and an operation running today, so
the live board has something to show. Idempotent: operations by slug, articles by
(agency, slug), sessions, guidance and referrals by their natural `key`."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from nettpatrulje.accounts.models import Agency, User
from nettpatrulje.inbox.services import conversation_set_status
from nettpatrulje.library.models import Article, Tag
from nettpatrulje.library.services import article_create, article_edit
from nettpatrulje.patrols import services
from nettpatrulje.patrols.models import (
    GuidanceRequest,
    Incident,
    Operation,
    PatrolSession,
    Referral,
)
from nettpatrulje.patrols.quickadd import parse

ARTICLES = [
    # slug, tags, {language: (title, body)}
    (
        "gaming-as-a-method",
        [("topic", "gaming-culture"), ("audience", "officers"), ("platform", "fortnite")],
        {
            "en": (
                "Gaming as a method",
                "# Why we play\n\nPlaying *with* young people lowers the threshold to talk. "
                "Be in uniform in your profile, say who you are, and play the game properly.\n\n"
                "## In the lobby\n\n- Greet, introduce yourself as police\n- Talk about the game "
                "first\n- Let them ask you questions\n\n## When something comes up\n\n1. Listen, "
                "do not interrogate\n2. Give concrete advice\n3. Offer the online patrol's "
                "channels for follow-up\n\nSee also [the EMPACT page](https://www.europol.europa.eu/crime-areas-and-statistics/empact).",
            ),
            "nb": (
                "Gaming som metode",
                "# Hvorfor vi spiller\n\nNår vi spiller *sammen med* ungdom, blir terskelen for "
                "å snakke lavere. Vær tydelig på at du er politi, og spill spillet ordentlig.\n\n"
                "## I lobbyen\n\n- Hils og presenter deg som politi\n- Snakk om spillet først\n"
                "- La dem stille deg spørsmål\n",
            ),
        },
    ),
    (
        "talking-about-sextortion",
        [("topic", "sextortion"), ("audience", "officers"), ("audience", "youth")],
        {
            "en": (
                "How to talk with youth about sextortion",
                "# Sextortion: what to say\n\nThe young person is **not** to blame. Say so "
                "first.\n\n- Do not pay, do not send more pictures\n- Keep the chat: take "
                "screenshots\n- Block and report the account on the platform\n- Talk to an adult "
                "you trust\n\nIf the friend is being blackmailed, encourage them to contact the "
                "police in their own country, and offer to help them do it.",
            ),
            "nb": (
                "Slik snakker du med ungdom om sextortion",
                "# Sextortion: hva du sier\n\nDen unge har **ikke** skylden. Si det først.\n\n"
                "- Ikke betal, ikke send flere bilder\n- Ta vare på samtalen: ta skjermbilder\n"
                "- Blokker og rapporter kontoen\n- Snakk med en voksen du stoler på\n",
            ),
            "fi": (
                "Näin puhut nuorten kanssa seksuaalisesta kiristyksestä",
                "# Mitä sanoa\n\nNuori **ei** ole syyllinen. Sano se ensin.\n\n- Älä maksa, älä "
                "lähetä lisää kuvia\n- Ota kuvakaappaukset\n- Estä ja ilmoita tili\n",
            ),
        },
    ),
    (
        "discord-platform-guide",
        [("platform", "discord"), ("audience", "officers")],
        {
            "en": (
                "Discord: a platform guide for patrol officers",
                "# Discord\n\nServers, channels and direct messages. Join public community "
                "servers with a clearly marked police account; ask the moderators first.\n\n"
                "- Voice channels are where the lobby talk happens\n- Use threads for follow-up\n"
                "- Never accept friend requests to move a conversation private",
            ),
        },
    ),
]

COUNTRY_USERS = {
    "kripos": "ola",
    "poliisi": "aino",
    "politie": "daan",
    "police-be": "camille",
    "logreglan": "sigga",
}
PLATFORM_BY_AGENCY = {
    "kripos": ("fortnite", "Fortnite", "Creative hub EU"),
    "poliisi": ("minecraft", "Minecraft", "Suomi-serveri"),
    "politie": ("roblox", "Roblox", "Brookhaven RP"),
    "police-be": ("discord", "Discord", "Gaming BE/FR"),
    "logreglan": ("twitch", "Twitch", "íslenskir streymar"),
}
LINES = [
    "@nightowl_07 13-15 #gaming-culture asked if police really play Fortnite",
    "@kasperi 16-17 #bullying ! kicked from squad every evening, wants advice",
    "@milo.rbx <13 #grooming !high adult asks him to move to Snapchat, gave advice",
    "@zoe_plays 13-15 #sextortion !high friend being blackmailed for pictures",
    "@tuomas 18+ #fraud skins scam link in chat, warned the lobby",
    "@lina 13-15 #hate slurs in voice chat, talked about reporting",
    "@rafael 16-17 #gaming-culture asked how to become a police officer",
    "@bjork 13-15 #bullying !low teasing in the lobby, calmed down",
]
GUIDANCE = [
    (
        "poliisi",
        "A boy says his friend is being blackmailed with pictures. How do I answer without scaring him?",
        "Start by telling him the friend is not to blame. Give the four steps (do not pay, keep "
        "the chat, block and report, talk to an adult) and offer to help the friend contact "
        "the police.",
        "talking-about-sextortion",
        timedelta(minutes=6),
    ),
    (
        "politie",
        "Kids keep asking me to join their private Discord server. Should I?",
        "No: stay in public channels. Thank them and point to the official channels.",
        "discord-platform-guide",
        timedelta(minutes=14),
    ),
    (
        "logreglan",
        "How long should I stay in one lobby before moving on?",
        "Twenty to thirty minutes, or as long as the conversation is good. Quality over reach.",
        "gaming-as-a-method",
        timedelta(minutes=3),
    ),
    (
        "police-be",
        "Someone posts scam links for free skins. Do I warn the whole server?",
        "Yes, a short public warning, then report the account to the server moderators.",
        "",
        timedelta(minutes=22),
    ),
]


def _user(name: str) -> User:
    return User.objects.get(username=name)


@transaction.atomic
def seed_patrols(*, agencies: dict[str, Agency], now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"articles": 0, "sessions": 0, "guidance": 0, "referrals": 0}
    counts["articles"] = _seed_library()
    week = _seed_action_week(agencies, counts)
    _seed_live(agencies, now, counts)
    counts["operations"] = Operation.objects.filter(pk=week.pk).count() + 1
    return counts


def _seed_library() -> int:
    mentor = _user("mentor")
    created = 0
    for slug, tags, translations in ARTICLES:
        if Article.objects.filter(agency_id=mentor.agency_id, slug=slug).exists():
            continue
        tag_objs = [Tag.objects.get_or_create(kind=k, name=n)[0] for k, n in tags]
        (first_lang, (title, body)), *rest = translations.items()
        article = article_create(
            actor=mentor, slug=slug, language=first_lang, title=title, body=body, tags=tag_objs
        )
        for lang, (title, body) in rest:
            article_edit(
                actor=mentor, article=article, language=lang, title=title, body=body,
                note="translation",
            )  # fmt: skip
        created += 1
    return created


def _local(agency: Agency, day: date, hour: int, minute: int = 0) -> datetime:
    return services.local_to_utc(day, time(hour, minute), agency.timezone)


def _seed_action_week(agencies: dict[str, Agency], counts: dict) -> Operation:
    coordinator = _user("coordinator")
    operation = Operation.objects.filter(slug="empact-action-week-2023").first()
    if operation is None:
        operation = services.operation_create(
            actor=coordinator,
            name="EMPACT Action Week 2023",
            slug="empact-action-week-2023",
            starts_on=date(2023, 11, 20),
            ends_on=date(2023, 11, 24),
            participants=list(agencies.values()),
            platforms=["fortnite", "roblox", "minecraft", "discord", "twitch"],
            objectives=(
                "Joint uniformed patrols on gaming platforms, each country with young people "
                "from its own country; Kripos mentors guide; exchange of methods."
            ),
        )
    rng = random.Random(2023)
    for offset in range(5):
        day = operation.starts_on + timedelta(days=offset)
        for slug, username in COUNTRY_USERS.items():
            agency = agencies[slug]
            platform, game, location = PLATFORM_BY_AGENCY[slug]
            officer = _user(username)
            slot = services.slot_create(
                actor=coordinator, operation=operation, agency=agency, platform=platform,
                day=day, start=time(15), end=time(19), officers=[officer],
            )  # fmt: skip
            key = f"aw2023-{slug}-{offset}"
            if PatrolSession.objects.filter(key=key).exists():
                continue
            start = _local(agency, day, 15, rng.randint(0, 20))
            session = services.session_start(
                actor=officer, platform=platform, game=game, location=location, slot=slot,
                now=start, key=key,
            )  # fmt: skip
            for n in range(rng.randint(3, 6)):
                services.interaction_add(
                    actor=officer,
                    session=session,
                    line=parse(LINES[(offset * 3 + n + len(slug)) % len(LINES)]),
                    at=start + timedelta(minutes=12 * (n + 1)),
                )
            if offset in (1, 3) and slug in ("kripos", "politie", "poliisi"):
                interaction = session.interactions.filter(concern="high").first()
                incident = services.incident_create(
                    actor=officer,
                    session=session,
                    interaction=interaction,
                    description="Adult account asking a 13-year-old to move to a private app.",
                    now=start + timedelta(hours=1),
                )
                # Handled that week: a case of 2023 left open would head today's queue.
                conversation_set_status(
                    conversation=incident.conversation,
                    status="closed",
                    actor=officer,
                    now=start + timedelta(days=1),
                )
            services.session_end(
                actor=officer,
                session=session,
                summary=f"{game}: good conversations, advice given, nothing urgent left open.",
                now=start + timedelta(hours=3, minutes=rng.randint(0, 40)),
            )
            counts["sessions"] += 1
    mentor = _user("mentor")
    for n, (slug, question, answer, article_slug, delay) in enumerate(GUIDANCE):
        key = f"aw2023-guidance-{n}"
        if GuidanceRequest.objects.filter(key=key).exists():
            continue
        session = PatrolSession.objects.get(key=f"aw2023-{slug}-{n % 5}")
        asked = session.started_at + timedelta(minutes=40)
        gr = services.guidance_ask(
            actor=_user(COUNTRY_USERS[slug]), question=question, session=session,
            now=asked, key=key,
        )  # fmt: skip
        articles = Article.objects.filter(agency=mentor.agency, slug=article_slug)
        services.guidance_answer(
            actor=mentor, request=gr, answer=answer, articles=articles, now=asked + delay
        )
        counts["guidance"] += 1
    _seed_referrals(agencies, counts)
    return operation


def _seed_referrals(agencies: dict[str, Agency], counts: dict) -> None:
    plans = [
        ("aw2023-ref-no-fi", "ola", "poliisi", "The boy lives in Tampere; the blackmail "
         "account writes in Finnish.", "accept", ""),
        ("aw2023-ref-nl-be", "daan", "police-be", "The victim goes to school in Antwerp.",
         "decline", "Antwerp belongs to the local police zone; forwarded them the tip."),
        ("aw2023-ref-is-no", "sigga", "kripos", "Scammer account registered with a "
         "Norwegian phone number.", "", ""),
    ]  # fmt: skip
    for key, username, to_slug, reason, outcome, why in plans:
        if Referral.objects.filter(key=key).exists():
            continue
        officer = _user(username)
        incident = Incident.objects.filter(agency_id=officer.agency_id).first()
        when = datetime(2023, 11, 22, 16, 30, tzinfo=UTC)
        text = (
            "Player @zoe_plays (13-15) says a friend is being blackmailed by "
            "an account that wants 200 euro, e-mail blackmailer@example.com, phone +358401234567."
        )
        referral = services.referral_send(
            actor=officer,
            to_agency=agencies[to_slug],
            reason=reason,
            shared_text=text,
            incident=incident,
            now=when,
            key=key,
        )
        receiver = _user(COUNTRY_USERS[to_slug])
        if outcome == "accept":
            accepted = services.referral_accept(
                actor=receiver, referral=referral, now=when + timedelta(hours=2)
            )
            conversation_set_status(
                conversation=accepted.received_conversation,
                status="closed",
                actor=receiver,
                now=when + timedelta(days=1),
            )
        elif outcome == "decline":
            services.referral_decline(
                actor=receiver, referral=referral, reason=why, now=when + timedelta(hours=3)
            )
        counts["referrals"] += 1


def _seed_live(agencies: dict[str, Agency], now: datetime, counts: dict) -> None:
    coordinator = _user("coordinator")
    today = timezone.localdate(now)
    operation = Operation.objects.filter(slug="nordic-gaming-patrol-live").first()
    if operation is None:
        operation = services.operation_create(
            actor=coordinator,
            name="Gaming patrol week (live demo)",
            slug="nordic-gaming-patrol-live",
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=3),
            participants=list(agencies.values()),
            platforms=["fortnite", "roblox", "minecraft", "discord", "twitch"],
            objectives="A running operation so the live board has something to show.",
        )
    elif not operation.starts_on <= today <= operation.ends_on:
        # Keep the demo operation "running" when the demo is re-seeded on another day.
        Operation.objects.filter(pk=operation.pk).update(
            starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=3)
        )
    for slug, username in COUNTRY_USERS.items():
        agency = agencies[slug]
        platform, game, location = PLATFORM_BY_AGENCY[slug]
        officer = _user(username)
        local_now = now.astimezone(services.viewer_timezone(agency))
        slot = services.slot_create(
            actor=coordinator, operation=operation, agency=agency, platform=platform,
            day=local_now.date(), start=time(max(local_now.hour - 1, 0)), end=time(23, 30),
            officers=[officer],
        )  # fmt: skip
        key = f"live-{today.isoformat()}-{slug}"
        if PatrolSession.objects.filter(key=key).exists():
            continue
        start = now - timedelta(minutes=50)
        session = services.session_start(
            actor=officer, platform=platform, game=game, location=location, slot=slot,
            now=start, key=key,
        )  # fmt: skip
        for n in range(3):
            services.interaction_add(
                actor=officer,
                session=session,
                line=parse(LINES[(n + len(slug)) % len(LINES)]),
                at=start + timedelta(minutes=10 * (n + 1)),
            )
        counts["sessions"] += 1
    key = f"live-{today.isoformat()}-guidance"
    if not GuidanceRequest.objects.filter(key=key).exists():
        session = PatrolSession.objects.get(key=f"live-{today.isoformat()}-logreglan")
        services.guidance_ask(
            actor=_user("sigga"),
            question="A streamer's chat keeps asking for my personal Snapchat. How do I say no nicely?",
            session=session,
            now=now - timedelta(minutes=5),
            key=key,
        )
        counts["guidance"] += 1

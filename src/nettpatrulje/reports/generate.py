"""Bulk generator of realistic conversations and messages for benchmarks and
demos of the dashboards: bulk inserts, no triage, no signals; roll-ups are
rebuilt afterwards for the generated range."""

from __future__ import annotations

import random
import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from nettpatrulje.accounts.models import Agency, User
from nettpatrulje.channels.models import Channel, Platform
from nettpatrulje.inbox.models import Contact, Conversation, Message

CATEGORIES = [
    ("question", 34),
    ("harassment_hate", 14),
    ("fraud", 12),
    ("sexual_exploitation", 9),
    ("report_request", 9),
    ("crime_tip", 7),
    ("other", 6),
    ("threat_violence", 4),
    ("drugs", 3),
    ("self_harm", 2),
]
URGENCY = {
    "sexual_exploitation": [("high", 6), ("emergency", 1), ("normal", 3)],
    "self_harm": [("emergency", 3), ("high", 5), ("normal", 2)],
    "threat_violence": [("high", 5), ("emergency", 1), ("normal", 4)],
}
DEFAULT_URGENCY = [("normal", 8), ("low", 2), ("high", 1)]
PLATFORMS = [
    (Platform.MESSENGER, 40),
    (Platform.INSTAGRAM, 35),
    (Platform.WIDGET, 15),
    (Platform.DISCORD, 10),
]
TEXTS = [
    "Hei, jeg lurer på noe om bildedeling",
    "Noen truer med å legge ut bilder av meg",
    "Er det lov å kjøpe brukte konti i spill?",
    "Jeg ble svindlet på Marketplace",
    "Noen i klassen blir mobbet i en gruppechat",
    "Hvordan anmelder jeg noe?",
    "Takk for svar!",
    "Det skjedde i går kveld",
    "Han sier han er 16 men jeg tror ikke det",
]
REPLY = "Takk for at du tar kontakt. Vi hjelper deg gjerne videre."
# Hour-of-day weights: young people write after school and in the evening.
HOURS = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9, 9, 9, 10, 10, 9, 7, 4, 2]


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _agency(slug: str | None) -> Agency:
    from nettpatrulje.accounts.services import agency_create

    if slug:
        agency = Agency.objects.filter(slug=slug).first()
        return agency or agency_create(slug=slug, name=f"Agency {slug}", country="NO")
    agency = Agency.objects.order_by("pk").first()
    return agency or agency_create(slug="bench", name="Benchmark agency", country="NO")


def _channels(agency: Agency) -> list[tuple[Channel, int]]:
    out = []
    for platform, weight in PLATFORMS:
        channel = Channel.objects.filter(agency=agency, platform=platform).first()
        if channel is None:
            channel = Channel.objects.create(
                agency=agency,
                platform=platform,
                account_id=f"gen-{agency.slug}-{platform}",
                name=f"{agency.name} ({platform})",
            )
        out.append((channel, weight))
    return out


def _officers(agency: Agency, n: int = 8) -> list[User]:
    users = list(User.objects.filter(agency=agency, is_active=True)[:n])
    while len(users) < n:
        username = f"gen-officer-{agency.slug}-{len(users) + 1}"
        user, _ = User.objects.get_or_create(username=username, defaults={"agency": agency})
        users.append(user)
    return users


def _response_delay(rng: random.Random, urgency: str) -> timedelta:
    if urgency in ("emergency", "high"):
        return timedelta(minutes=rng.expovariate(1 / 25))
    return timedelta(minutes=rng.expovariate(1 / 240))


def generate(
    *,
    messages: int,
    months: int = 12,
    agency_slug: str | None = None,
    seed: int = 1,
    now: datetime | None = None,
    batch: int = 5000,
    rebuild: bool = True,
) -> dict[str, int]:
    rng = random.Random(seed)
    agency = _agency(agency_slug)
    tz = zoneinfo.ZoneInfo(agency.timezone)
    channels = _channels(agency)
    officers = _officers(agency)
    now = now or timezone.now()
    start = now - timedelta(days=30.44 * months)
    span_days = (now - start).days
    counts = {"conversations": 0, "messages": 0}
    contacts: list[Contact] = []
    convs: list[Conversation] = []
    msgs: list[Message] = []

    def flush() -> None:
        with transaction.atomic():
            Contact.objects.bulk_create(contacts, batch_size=batch)
            Conversation.objects.bulk_create(convs, batch_size=batch)
            Message.objects.bulk_create(msgs, batch_size=batch)
        contacts.clear()
        convs.clear()
        msgs.clear()

    produced = 0
    while produced < messages:
        channel = _pick(rng, [(c, w) for c, w in channels])
        category = _pick(rng, CATEGORIES)
        urgency = _pick(rng, URGENCY.get(category, DEFAULT_URGENCY))
        day = start + timedelta(days=rng.randrange(span_days))
        local = day.astimezone(tz).replace(
            hour=rng.choices(range(24), HOURS)[0],
            minute=rng.randrange(60),
            second=rng.randrange(60),
        )
        created = local.astimezone(zoneinfo.ZoneInfo("UTC"))
        if created >= now:
            continue
        contact = Contact(
            id=uuid.uuid4(),
            agency=agency,
            channel=channel,
            platform_id=f"gen-{uuid.uuid4().hex[:16]}",
            created_at=created,
        )
        conv = Conversation(
            id=uuid.uuid4(),
            agency=agency,
            channel=channel,
            contact=contact,
            thread_key=contact.platform_id,
            category=category,
            urgency=urgency,
            language="nb",
            priority={"emergency": 0, "high": 1, "normal": 2, "low": 3}[urgency],
            created_at=created,
            assignee=rng.choice(officers),
        )
        length = max(1, min(messages - produced, int(rng.expovariate(1 / 5)) + 1))
        t = created
        first_response = None
        last_in = None
        waiting = None
        for i in range(length):
            inbound = i % 2 == 0
            if i:
                t = t + (
                    _response_delay(rng, urgency)
                    if not inbound
                    else timedelta(minutes=rng.expovariate(1 / 30))
                )
            if t >= now:
                break
            author = None
            if inbound:
                last_in = t
                waiting = waiting or t
            else:
                author = conv.assignee
                first_response = first_response or t
                waiting = None
            text = rng.choice(TEXTS) if inbound else REPLY
            msgs.append(
                Message(
                    id=uuid.uuid4(),
                    agency=agency,
                    conversation=conv,
                    channel=channel,
                    direction="in" if inbound else "out",
                    text=text,
                    redacted_text=text,
                    platform_message_id=f"gen-{uuid.uuid4().hex}",
                    sent_at=t,
                    created_at=t,
                    author=author,
                    language="nb",
                    category=category if inbound else "",
                    urgency=urgency if inbound else "",
                )
            )
            produced += 1
        conv.last_message_at = t if t < now else now
        conv.last_inbound_at = last_in
        conv.first_response_at = first_response
        conv.waiting_since = waiting
        # Officers close what has gone quiet; a few stay open longer.
        if now - conv.last_message_at > timedelta(days=3) and (
            waiting is None or rng.random() < 0.97
        ):
            conv.status = Conversation.Status.CLOSED
            conv.closed_at = conv.last_message_at + timedelta(hours=1)
        contacts.append(contact)
        convs.append(conv)
        counts["conversations"] += 1
        if len(msgs) >= batch * 4:
            flush()
    flush()
    counts["messages"] = produced
    if rebuild:
        from nettpatrulje.reports.rollups import rollups_rebuild

        rollups_rebuild(agencies=[agency], sources=["messages", "conversations"])
    # Fresh statistics after a bulk load, as autovacuum would give them later:
    # the planner otherwise guesses at tables it has never seen filled.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts

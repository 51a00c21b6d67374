"""Traffic from the gaming platforms and the web chat, for the demo and benchmarks.

- Twitch: signed EventSub notifications over HTTP (stream chat, mostly banter,
  now and then a line an officer must see; whispers to the patrol).
- Web chat: real widget sessions and messages over HTTP, with the page's Origin.
- Discord: the Gateway cannot be faked over HTTP, so this plays the bot process:
  it stores dispatch payloads in Discord's documented format through the same
  `webhook_event_store` the bot uses.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from nettpatrulje.channels import twitch
from nettpatrulje.channels.models import Channel, Platform

CHAT_BANTER = [
    "gg",
    "lol",
    "KEKW",
    "hi officer!!",
    "are you real police?",
    "nice shot 🔥",
    "W stream",
    "hva spiller dere i morgen?",
    "moi poliisi 👋",
    "haha politiet spiller fortnite",
    "first",
    "can you arrest my brother for camping",
    "this boss is killing me 😂",
    "jeg dør av latter",
    "do you have a discord?",
    "olen kuollut 😂",
    "love the stream",
    "ez",
    "pog",
]
CHAT_CONCERNING = [
    "someone in the discord says he will bring a knife to school tomorrow",
    "en fyr her i chatten spør om bilder av meg, jeg er 13",
    "my friend said she wants to end it tonight",
    "joku aikuinen lupaa robuxeja jos lähetän kuvia",
]
WHISPERS = [
    "hei, kan jeg spørre om noe privat? noen truer med å dele bilder av meg",
    "is it illegal to buy accounts on discord?",
    "someone hacked my fortnite account and changed the email",
    "moi, voiko teille kertoa huijauksesta?",
]
DISCORD_DMS = [
    "Hei! Er dette politiet? Jeg lurer på noe om en konto som ble hacket",
    "someone in our server keeps sending creepy dms to younger members",
    "kan man anmelde noen som mobber på discord?",
    "thanks for the advice yesterday",
    "a guy offered me nitro if I send pics, I'm 14",
]
WIDGET_TEXTS = [
    "Hei, jeg lurer på om det er lov å dele bilder av andre uten å spørre?",
    "Hvordan kan jeg vite om en nettbutikk er svindel?",
    "Noen har laget en falsk profil av meg på Instagram",
    "Min sønn får meldinger fra en voksen han ikke kjenner på Roblox",
    "Takk for god hjelp!",
]


@dataclass
class GamingTraffic:
    base_url: str
    rng: random.Random = field(default_factory=random.Random)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=15))
    widget_tokens: dict = field(default_factory=dict)
    sent: dict = field(
        default_factory=lambda: {"twitch": 0, "discord": 0, "widget": 0, "errors": 0}
    )

    def channels(self) -> list[Channel]:
        return list(
            Channel.objects.filter(
                platform__in=[Platform.TWITCH, Platform.DISCORD, Platform.WIDGET],
                status=Channel.Status.ACTIVE,
            ).select_related("agency")
        )

    def one(self, channel: Channel) -> None:
        try:
            {
                Platform.TWITCH: self.twitch,
                Platform.DISCORD: self.discord,
                Platform.WIDGET: self.widget,
            }[channel.platform](channel)
            self.sent[channel.platform] += 1
        except (httpx.HTTPError, KeyError, ValueError):
            self.sent["errors"] += 1

    # -- Twitch ---------------------------------------------------------------
    def twitch(self, channel: Channel) -> None:
        secret = channel.secret("eventsub_secret")
        broadcaster = channel.account_id
        viewer = str(self.rng.randint(10**7, 10**8))
        if self.rng.random() < 0.85:
            text = self.rng.choice(CHAT_CONCERNING if self.rng.random() < 0.04 else CHAT_BANTER)
            sub_type, event = (
                twitch.CHAT_MESSAGE,
                {
                    "broadcaster_user_id": broadcaster,
                    "broadcaster_user_login": "politiet",
                    "broadcaster_user_name": "Politiet",
                    "chatter_user_id": viewer,
                    "chatter_user_login": f"viewer{viewer[-4:]}",
                    "chatter_user_name": f"Viewer{viewer[-4:]}",
                    "message_id": str(uuid.uuid4()),
                    "message": {
                        "text": text,
                        "fragments": [
                            {"type": "text", "text": text, "cheermote": None, "emote": None}
                        ],
                    },
                    "color": "#00FF7F",
                    "badges": [],
                    "message_type": "text",
                    "cheer": None,
                    "reply": None,
                    "channel_points_custom_reward_id": None,
                },
            )
            condition = {"broadcaster_user_id": broadcaster, "user_id": broadcaster}
        else:
            text = self.rng.choice(WHISPERS)
            sub_type, event = (
                twitch.WHISPER_MESSAGE,
                {
                    "from_user_id": viewer,
                    "from_user_login": f"viewer{viewer[-4:]}",
                    "from_user_name": f"Viewer{viewer[-4:]}",
                    "to_user_id": broadcaster,
                    "to_user_login": "politiet",
                    "to_user_name": "Politiet",
                    "whisper_id": str(uuid.uuid4()),
                    "whisper": {"text": text},
                },
            )
            condition = {"user_id": broadcaster}
        payload = {
            "subscription": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, sub_type + broadcaster)),
                "status": "enabled",
                "type": sub_type,
                "version": "1",
                "cost": 0,
                "condition": condition,
                "transport": {"method": "webhook", "callback": f"{self.base_url}/webhooks/twitch"},
                "created_at": _rfc3339(),
            },
            "event": event,
        }
        raw = json.dumps(payload).encode()
        message_id, stamp = str(uuid.uuid4()), _rfc3339()
        self.client.post(
            f"{self.base_url}/webhooks/twitch",
            content=raw,
            headers={
                twitch.H_ID: message_id,
                twitch.H_TIMESTAMP: stamp,
                twitch.H_SIGNATURE: twitch.sign(message_id, stamp, raw, secret),
                twitch.H_TYPE: twitch.MESSAGE_NOTIFICATION,
                twitch.H_SUBSCRIPTION: sub_type,
                twitch.H_VERSION: "1",
                "Content-Type": "application/json",
            },
        )

    # -- Discord (as the bot process) ---------------------------------------------
    def discord(self, channel: Channel) -> None:
        from nettpatrulje.channels.services import webhook_event_store

        user = str(self.rng.randint(10**17, 10**18))
        now = datetime.now(UTC)
        d = {
            "type": 0,
            "tts": False,
            "timestamp": now.isoformat(),
            "pinned": False,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "id": str(_snowflake(now)),
            "flags": 0,
            "embeds": [],
            "edited_timestamp": None,
            "content": self.rng.choice(DISCORD_DMS),
            "components": [],
            "channel_id": str(int(user) + 7),
            "author": {
                "username": f"gamer{user[-4:]}",
                "id": user,
                "global_name": f"Gamer {user[-4:]}",
                "discriminator": "0",
                "avatar": None,
                "public_flags": 0,
            },
            "attachments": [],
        }
        body = {"application_id": channel.account_id, "t": "MESSAGE_CREATE", "d": d, "scope": "dm"}
        webhook_event_store(source="discord", body=json.dumps(body).encode(), headers={})

    # -- Web chat --------------------------------------------------------------------
    def widget(self, channel: Channel) -> None:
        key = channel.account_id
        origin = self.base_url
        token = self.widget_tokens.get(key) if self.rng.random() < 0.7 else None
        if token is None:
            r = self.client.post(
                f"{self.base_url}/widget/api/session?key={key}", json={}, headers={"Origin": origin}
            )
            r.raise_for_status()
            token = r.json()["token"]
            self.widget_tokens[key] = token
        self.client.post(
            f"{self.base_url}/widget/api/messages?key={key}",
            json={"client_id": uuid.uuid4().hex[:16], "text": self.rng.choice(WIDGET_TEXTS)},
            headers={"Origin": origin, "Authorization": f"Bearer {token}"},
        )


def _rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _snowflake(moment: datetime) -> int:
    discord_epoch_ms = 1420070400000
    return ((int(moment.timestamp() * 1000) - discord_epoch_ms) << 22) | random.getrandbits(22)


def run_gaming_traffic(
    *, base_url: str, rate: float, duration: float, seed: int | None = None
) -> dict:
    traffic = GamingTraffic(base_url=base_url.rstrip("/"), rng=random.Random(seed))
    channels = traffic.channels()
    if not channels or rate <= 0:
        return traffic.sent
    deadline = time.monotonic() + duration
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        traffic.one(traffic.rng.choice(channels))
        next_at += 1.0 / rate
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return traffic.sent

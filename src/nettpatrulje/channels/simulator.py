"""Traffic as Meta sends it: signed Messenger and Instagram webhook deliveries.

Several languages, text and attachments, story mentions and replies,
postbacks, read and delivery receipts; now and then the same delivery again
(Meta retries when it did not see our 200 in time) and two copies at once
(concurrent redelivery). Used by `nettpatrulje simulate` and the benchmarks.
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from nettpatrulje.channels.meta import sign

# (language, text). Short, as young people write: slang, emoji, no punctuation.
TEXTS: list[tuple[str, str]] = [
    ("nb", "hei! er det lov å filme folk på treningssenteret?"),
    ("nb", "noen på snap selger piller til folk på skolen min, hva gjør jeg"),
    ("nb", "jeg betalte 3000 kr for en iphone på finn og selgeren blokkerte meg"),
    (
        "nb",
        "en gutt jeg møtte på discord sier han sender bildene mine til alle hvis jeg ikke betaler innen i kveld",
    ),
    ("nb", "takk for hjelpen i går 🙏"),
    ("nb", "noen har laget en falsk profil med bildene mine"),
    ("nb", "jeg vil anmelde at sykkelen min ble stjålet"),
    ("nb", "dere er de kuleste politifolkene på twitch 😎"),
    ("nn", "eg trur nokon har hacka kontoen min på insta, kva skal eg gjere?"),
    ("nn", "kan eg melde frå om noko eg såg på tiktok her?"),
    ("en", "is it illegal to share memes of someone from my class?"),
    ("en", "someone in our discord says he will bring a knife to school tomorrow"),
    ("en", "my friend wrote she wants to end it tonight, i dont know what to do"),
    ("en", "this boss fight is literally killing me lol"),
    ("en", "got a text saying my bank account is locked, they want my bankid code"),
    ("fi", "moi! voiko teille ilmoittaa huijauksesta tori.fi:ssä?"),
    ("fi", "joku aikuinen pyytää mun kaverilta kuvia robuxeja vastaan"),
    ("fi", "kiitos vastauksesta 👍"),
    ("nl", "iemand dreigt mijn foto's te delen als ik niet betaal, ik ben 15"),
    ("nl", "mag ik iemand filmen zonder dat die het weet?"),
    ("fr", "quelqu'un m'insulte tous les jours sur instagram, je fais quoi ?"),
    ("fr", "bonjour, comment porter plainte pour une arnaque en ligne ?"),
    ("is", "hæ, einhver er að selja dóp á snapchat"),
    ("is", "má ég taka upp samtal án þess að segja frá því?"),
    ("sv", "någon hotar att lägga ut mina bilder om jag inte swishar pengar"),
    ("da", "hej, er det ulovligt at købe followers?"),
    ("de", "jemand hat meinen Account gehackt und schreibt meinen Freunden"),
    ("und", "😂😂😂"),
    ("nb", "du kan nå meg på 412 34 567 hvis det er lettere"),
]

ATTACHMENT_TYPES = ["image", "video", "audio", "file"]


@dataclass
class SimulationStats:
    sent: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: int = 0
    duplicates_sent: int = 0
    concurrent_pairs: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int | None, ms: float) -> None:
        with self.lock:
            self.sent += 1
            if status == 200:
                self.accepted += 1
                self.latencies_ms.append(ms)
            elif status is None:
                self.errors += 1
            else:
                self.rejected += 1

    def summary(self) -> dict:
        elapsed = time.monotonic() - self.started
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None

        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "errors": self.errors,
            "duplicates_sent": self.duplicates_sent,
            "concurrent_pairs": self.concurrent_pairs,
            "seconds": round(elapsed, 2),
            "accepted_per_second": round(self.accepted / elapsed, 1) if elapsed else 0,
            "latency_ms": {
                "p50": pct(0.5),
                "p99": pct(0.99),
                "mean": round(statistics.fmean(lat), 2) if lat else None,
            },
        }


class MetaTrafficGenerator:
    """Builds realistic Meta webhook bodies for a set of (object, account id) pairs."""

    def __init__(
        self,
        accounts: list[tuple[str, str]],
        *,
        seed: int | None = None,
        contacts_per_account: int = 40,
    ) -> None:
        if not accounts:
            raise ValueError("no accounts to simulate traffic for")
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.contacts = {
            acc: [f"{self.rng.randint(10**15, 10**16 - 1)}" for _ in range(contacts_per_account)]
            for _, acc in accounts
        }
        self.counter = 0

    def _mid(self) -> str:
        self.counter += 1
        return f"m_sim_{self.rng.getrandbits(64):016x}_{self.counter}"

    def next_body(self) -> dict:
        obj, account = self.rng.choice(self.accounts)
        contact = self.rng.choice(self.contacts[account])
        now_ms = int(time.time() * 1000)
        roll = self.rng.random()
        event: dict = {"sender": {"id": contact}, "recipient": {"id": account}, "timestamp": now_ms}
        if roll < 0.70:
            _, text = self.rng.choice(TEXTS)
            event["message"] = {"mid": self._mid(), "text": text}
        elif roll < 0.78:
            event["message"] = {
                "mid": self._mid(),
                "attachments": [
                    {
                        "type": self.rng.choice(ATTACHMENT_TYPES),
                        "payload": {"url": f"https://lookaside.example/{self.counter}"},
                    }
                ],
            }
        elif roll < 0.82 and obj == "instagram":
            event["message"] = {
                "mid": self._mid(),
                "attachments": [
                    {
                        "type": "story_mention",
                        "payload": {"url": f"https://lookaside.example/story/{self.counter}"},
                    }
                ],
            }
        elif roll < 0.86 and obj == "instagram":
            _, text = self.rng.choice(TEXTS)
            event["message"] = {
                "mid": self._mid(),
                "text": text,
                "reply_to": {
                    "story": {
                        "url": f"https://lookaside.example/story/{self.counter}",
                        "id": str(self.counter),
                    }
                },
            }
        elif roll < 0.90:
            event["postback"] = {
                "mid": self._mid(),
                "title": "Snakk med politiet",
                "payload": "TALK_TO_POLICE",
            }
        elif roll < 0.95:
            event["delivery"] = {"mids": [], "watermark": now_ms}
        else:
            event["read"] = {"watermark": now_ms}
        return {"object": obj, "entry": [{"id": account, "time": now_ms, "messaging": [event]}]}


def run_simulation(
    *,
    url: str,
    app_secret: str,
    accounts: list[tuple[str, str]],
    rate: float,
    duration: float,
    seed: int | None = None,
    duplicate_rate: float = 0.03,
    concurrent_rate: float = 0.02,
    workers: int = 16,
    on_progress=None,
) -> dict:
    gen = MetaTrafficGenerator(accounts, seed=seed)
    stats = SimulationStats()
    client = httpx.Client(timeout=15, limits=httpx.Limits(max_connections=workers * 2))

    def post(raw: bytes) -> None:
        t0 = time.perf_counter()
        try:
            response = client.post(
                url,
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, app_secret),
                },
            )
            status: int | None = response.status_code
        except httpx.HTTPError:
            status = None
        stats.record(status, (time.perf_counter() - t0) * 1000)

    interval = 1.0 / rate if rate > 0 else 0.0
    deadline = time.monotonic() + duration
    next_at = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while time.monotonic() < deadline:
            # Meta escapes non-ASCII in the bodies it signs; so do we.
            raw = json.dumps(gen.next_body(), ensure_ascii=True).encode()
            pool.submit(post, raw)
            roll = gen.rng.random()
            if roll < duplicate_rate:
                stats.duplicates_sent += 1
                pool.submit(post, raw)  # a retry of the same delivery
            elif roll < duplicate_rate + concurrent_rate:
                stats.concurrent_pairs += 1
                pool.submit(post, raw)
                pool.submit(post, raw)
            if on_progress and stats.sent and stats.sent % 100 == 0:
                on_progress(stats.summary())
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    client.close()
    return stats.summary()

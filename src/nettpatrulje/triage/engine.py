"""The triage engine: language, personal data, category, urgency, flags."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from .constants import (
    LANGUAGE_HOME_COUNTRY,
    LANGUAGE_PHONE_REGION,
    SEVERE_CATEGORIES,
    UNDETERMINED,
    URGENCY_RANK,
)
from .language import LanguageIdentifier
from .lexicon import lexicon_for, warm_up
from .model import TriageModels, load_models
from .pii import PiiDetector, PiiHit, redact
from .places import countries_mentioned, cross_border
from .risk import ConversationRisk, RiskMessage, assess_conversation
from .rules import RuleSignals, extract

# Weight of one lexicon hit against model probabilities (0..1); capped at 3 hits.
RULE_WEIGHT = 0.22
# Model probability of "emergency" above which a severe message is an emergency even
# without an explicit cue: recall on emergencies comes first (contract).
EMERGENCY_MODEL_THRESHOLD = 0.6
# Model probability a severe category needs when no lexicon cue supports it.
UNSUPPORTED_SEVERE_MIN = 0.5
# ... or a lower probability that clearly beats every non-severe class.
CLEAR_SEVERE_MIN = 0.3
CLEAR_SEVERE_RATIO = 2.0
_QUESTION_MARK_WEIGHT = 0.05
_NON_EMERGENCY = ("high", "normal", "low")
# Categories where a calm cue ("didn't click", "just so you know") makes a message low.
_CALM_CATEGORIES = frozenset({"fraud", "question", "harassment_hate", "crime_tip", "other"})
# Grooming cues that are about meeting in person (stems in the ten languages).
_MEETING = re.compile(
    r"meet|pick|tapaa|tavata|møte|møtes|träffa|mødes|hitta|ontmoet|rencontr|treffen|sækja|hakee"
)


@dataclass(frozen=True)
class TriageResult:
    language: str
    category: str
    urgency: str
    flags: list[str]
    pii: list[PiiHit]
    redacted_text: str
    explanation: str
    confidence: float = 0.0
    reasons: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "category": self.category,
            "urgency": self.urgency,
            "flags": list(self.flags),
            "redacted_text": self.redacted_text,
            "pii": [hit.to_dict() for hit in self.pii],
            "explanation": self.explanation,
            "confidence": round(self.confidence, 3),
        }


class TriageEngine:
    """Build once (see :func:`get_engine`); ``triage`` is thread-safe."""

    def __init__(
        self, *, high_accuracy_language: bool = False, models: TriageModels | None = None
    ) -> None:
        self.languages = LanguageIdentifier(high_accuracy=high_accuracy_language)
        self.pii = PiiDetector()
        self.models = models or load_models()
        warm_up()

    # -- public API -----------------------------------------------------------------
    def triage(self, text: str, *, agency_country: str | None = None) -> TriageResult:
        text = text or ""
        agency = agency_country.upper() if agency_country else None
        guess = self.languages.identify(text, country=agency)
        lang = guess.code
        home = agency or LANGUAGE_HOME_COUNTRY.get(lang)
        region = agency or LANGUAGE_PHONE_REGION.get(lang) or "NO"
        hits = self.pii.find(text, region)
        if lang == UNDETERMINED and not text.strip():
            return self._empty(text, lang)
        lexicon = lexicon_for(lang)
        signals = extract(lexicon, text)
        cat_probs, urg_probs = self.models.probabilities(text)
        category, cat_conf, cat_reason = self._category(cat_probs, signals)
        urgency, urg_reason = self._urgency(urg_probs, category, signals, cat_conf)
        flags = self._flags(text, category, urgency, signals, hits, home, lexicon)
        if "imminent" in flags and urgency == "normal" and category in SEVERE_CATEGORIES:
            urgency, urg_reason = "high", "time-critical threat or risk"
        explanation = self._explain(guess.reason, category, cat_reason, urgency, urg_reason, flags)
        return TriageResult(
            language=lang,
            category=category,
            urgency=urgency,
            flags=sorted(flags),
            pii=hits,
            redacted_text=redact(text, hits),
            explanation=explanation,
            confidence=cat_conf,
        )

    def conversation_risk(self, messages: Sequence[RiskMessage]) -> ConversationRisk:
        return assess_conversation(messages)

    # -- decisions --------------------------------------------------------------------
    def _category(self, probs: dict[str, float], s: RuleSignals) -> tuple[str, float, str]:
        scores = dict(probs)
        for cat, hits in s.category_hits.items():
            weight = sum(_QUESTION_MARK_WEIGHT if h == "?" else RULE_WEIGHT for h in hits[:3])
            scores[cat] = scores.get(cat, 0.0) + weight
        if s.sextortion or (s.grooming and s.minor and s.adult):
            scores["sexual_exploitation"] += 2 * RULE_WEIGHT
        if s.suicide:
            scores["self_harm"] += 2 * RULE_WEIGHT
        if s.weapon and not s.figurative_only:
            scores["threat_violence"] += RULE_WEIGHT
        if s.figurative_only:
            for cat in ("threat_violence", "self_harm"):
                scores[cat] *= 0.3
            concrete = [c for c in ("fraud", "drugs", "harassment_hate") if s.category_hits[c]]
            if not concrete:  # "lol" next to a drug menu is still about drugs
                scores["other"] += 2 * RULE_WEIGHT
        best = max(scores, key=scores.__getitem__)
        if best in SEVERE_CATEGORIES and not self._supported(best, probs, s):
            # A severe category on weak model evidence alone ("he just sent a new
            # message", "cinema tonight") is a false alarm: take the best other class.
            best = max((c for c in scores if c not in SEVERE_CATEGORIES), key=scores.__getitem__)
        reason = self._category_reason(best, s, probs)
        if best in ("other", "question") and not s.figurative_only:
            severe = [c for c in SEVERE_CATEGORIES if s.category_hits.get(c)]
            if severe and not (best == "question" and self._weapon_question(s, severe)):
                best = max(severe, key=scores.__getitem__)
                reason = f"serious cue {s.category_hits[best][0]!r} outweighs {best!r}"
        return best, probs.get(best, 0.0), reason

    @staticmethod
    def _supported(category: str, probs: dict[str, float], s: RuleSignals) -> bool:
        """Whether a severe category has a lexicon cue or a confident model behind it."""
        p = probs.get(category, 0.0)
        if s.category_hits.get(category) or p >= UNSUPPORTED_SEVERE_MIN:
            return True
        runner_up = max(v for c, v in probs.items() if c not in SEVERE_CATEGORIES)
        if p >= CLEAR_SEVERE_MIN and p >= CLEAR_SEVERE_RATIO * runner_up:
            return True  # the model is clear even without a lexicon cue
        if category == "self_harm":
            return bool(s.suicide)
        if category == "threat_violence":
            return bool(s.weapon)
        return bool(s.sextortion or s.grooming)

    @staticmethod
    def _weapon_question(s: RuleSignals, severe: list[str]) -> bool:
        """A question about the law that only names a weapon ("what happens if I am caught
        with a knife?") is a question, not a threat: nothing is happening or planned."""
        hits = s.category_hits["threat_violence"]
        return (
            severe == ["threat_violence"]
            and bool(s.weapon)
            and len(hits) <= len(s.weapon)
            and not (s.emergency or s.imminent or s.minor)
        )

    @staticmethod
    def _category_reason(cat: str, s: RuleSignals, probs: dict[str, float]) -> str:
        hits = [h for h in s.category_hits.get(cat, []) if h != "?"]
        if hits:
            words = ", ".join(repr(h.strip()) for h in dict.fromkeys(hits[:3]))
            return f"{cat} cues {words}"
        if s.figurative_only and cat == "other":
            return f"figurative/game talk ({s.figurative[0]!r})"
        return f"model ({probs.get(cat, 0.0):.0%})"

    def _urgency(
        self, probs: dict[str, float], category: str, s: RuleSignals, cat_prob: float = 0.0
    ) -> tuple[str, str]:
        model_best = max(probs, key=probs.__getitem__)
        if s.figurative_only and category in ("other", "threat_violence", "self_harm"):
            return "low", f"figurative or game talk ({s.figurative[0]!r})"
        serious = category in SEVERE_CATEGORIES or category == "drugs"
        # "right now" alone is a time, not a danger: the category needs its own evidence.
        supported = serious and (
            bool(s.category_hits.get(category))
            or self._signal_for(category, s)
            or cat_prob >= UNSUPPORTED_SEVERE_MIN
        )
        if supported and s.emergency:
            return "emergency", f"danger now: {s.emergency[0]!r}"
        composite = self._time_critical_danger(category, s)
        if composite:
            return "emergency", composite
        if supported and probs.get("emergency", 0.0) >= EMERGENCY_MODEL_THRESHOLD:
            return "emergency", f"model sees danger now ({probs['emergency']:.0%})"
        calm = [h for h in s.low if not h.startswith("lol")]
        if (
            calm
            and category in _CALM_CATEGORIES
            and not (s.emergency or s.high or s.minor or s.sextortion or s.suicide or s.weapon)
        ):
            return "low", f"nothing to act on ({calm[0]!r})"
        floor, reason = self._urgency_floor(category, s)
        if model_best == "emergency":
            # Emergency needs a supported serious category (handled above); otherwise
            # the model's best non-emergency level, never a blind "high".
            model_best = max(_NON_EMERGENCY, key=probs.__getitem__)
            if not serious and model_best == "high":
                model_best = "normal"
        if category in ("other", "question", "report_request") and model_best == "high":
            model_best = "normal"  # nothing is happening to anyone
        if URGENCY_RANK[floor] >= URGENCY_RANK[model_best]:
            return floor, reason
        return model_best, f"model ({probs[model_best]:.0%})"

    @staticmethod
    def _signal_for(category: str, s: RuleSignals) -> bool:
        if category == "self_harm":
            return bool(s.suicide)
        if category == "threat_violence":
            return bool(s.weapon)
        if category == "sexual_exploitation":
            return bool(s.sextortion or (s.grooming and (s.minor or s.adult)))
        return bool(s.extra.get("drugs_emoji"))

    @staticmethod
    def _time_critical_danger(category: str, s: RuleSignals) -> str | None:
        """Serious risk plus a time cue within hours ("tonight", "tomorrow morning")."""
        if not s.imminent:
            return None
        when = s.imminent[0]
        if category == "self_harm" and s.suicide:
            return f"suicide risk ({s.suicide[0]!r}) with a time ({when!r})"
        if category == "threat_violence" and s.weapon:
            return f"weapon ({s.weapon[0]!r}) with a time ({when!r})"
        meeting = [g for g in s.grooming if _MEETING.search(g)]
        if category == "sexual_exploitation" and meeting and not s.sextortion and s.minor:
            return f"a meeting with a minor ({meeting[0]!r}) with a time ({when!r})"
        return None

    @staticmethod
    def _urgency_floor(category: str, s: RuleSignals) -> tuple[str, str]:
        if s.sextortion and (s.minor or s.imminent or s.high):
            return "high", "sextortion with a minor or a deadline"
        if category == "sexual_exploitation" and s.minor:
            return "high", "sexual exploitation involving a minor"
        if category == "threat_violence" and s.weapon:
            return "high", f"threat with a weapon ({s.weapon[0]!r})"
        if category == "self_harm" and s.suicide:
            return "high", f"suicide risk ({s.suicide[0]!r})"
        if category in ("crime_tip", "fraud") and s.emergency and s.category_hits.get(category):
            return "high", f"in progress ({s.emergency[0]!r})"
        if category == "other":
            return "low", "no action needed"
        return "normal" if category not in ("question",) else "low", "default"

    def _flags(
        self,
        text: str,
        category: str,
        urgency: str,
        s: RuleSignals,
        hits: list[PiiHit],
        home: str | None,
        lexicon,
    ) -> set[str]:
        flags: set[str] = set()
        relevant = category not in ("other",)
        if s.minor and relevant:
            flags.add("minor")
        if category == "sexual_exploitation" and s.sextortion:
            flags.add("sextortion")
        if category == "sexual_exploitation" and s.grooming and (s.minor or s.adult):
            flags.add("grooming")
        if category == "self_harm" and s.suicide:
            flags.add("suicide_risk")
        if s.weapon and category in ("threat_violence", "crime_tip") and not s.figurative_only:
            flags.add("weapon")
        if urgency == "emergency" or (s.imminent and URGENCY_RANK[urgency] >= 2):
            flags.add("imminent")
        if hits:
            flags.add("personal_data")
        if cross_border(countries_mentioned(text, lexicon), home):
            flags.add("cross_border")
        return flags

    @staticmethod
    def _explain(
        lang_reason: str,
        category: str,
        cat_reason: str,
        urgency: str,
        urg_reason: str,
        flags: set[str],
    ) -> str:
        parts = [f"{category}: {cat_reason}", f"urgency {urgency}: {urg_reason}"]
        if flags:
            parts.append("flags " + ", ".join(sorted(flags)))
        parts.append(f"language by {lang_reason}")
        return "; ".join(parts)

    @staticmethod
    def _empty(text: str, lang: str) -> TriageResult:
        return TriageResult(lang, "other", "low", [], [], text, "empty message", 1.0)


_engine: TriageEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> TriageEngine:
    """The process-wide engine, built on first use (double-checked locking)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = TriageEngine()
    return _engine

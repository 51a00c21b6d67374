"""Language identification for short chat messages.

lingua (restricted to the contract's ten languages) does the statistics; lexical
hints fix what character n-grams get wrong on a few words: Bokmål vs Nynorsk vs
Danish vs Swedish, and one-word greetings ("hei", "hæ", "moi", "hoi").
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from ._data import load_json
from .constants import LANGUAGES, UNDETERMINED

_LINGUA_BY_CODE: dict[str, Language] = {
    "nb": Language.BOKMAL,
    "nn": Language.NYNORSK,
    "fi": Language.FINNISH,
    "nl": Language.DUTCH,
    "fr": Language.FRENCH,
    "is": Language.ICELANDIC,
    "en": Language.ENGLISH,
    "sv": Language.SWEDISH,
    "da": Language.DANISH,
    "de": Language.GERMAN,
}
_CODE_BY_LINGUA = {lang: code for code, lang in _LINGUA_BY_CODE.items()}

# Tokens that carry no language: links, handles, e-mails, numbers.
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|@\w+|#\w+|\d+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Weight of one marker hit, in units of lingua confidence (0..1). Words that belong
# to one language's list only ("ikkje", "eg", "hvad", "inte") weigh more than words
# shared between close languages ("meg", "skal").
_SHARED_MARKER_WEIGHT = 0.06
_DISTINCT_MARKER_WEIGHT = 0.2


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    confidence: float
    reason: str


class LanguageIdentifier:
    """Thread-safe language identifier; build once, reuse everywhere."""

    def __init__(self, *, high_accuracy: bool = False) -> None:
        builder = LanguageDetectorBuilder.from_languages(*_LINGUA_BY_CODE.values())
        builder = builder.with_preloaded_language_models()
        if not high_accuracy:
            builder = builder.with_low_accuracy_mode()
        self._detector: LanguageDetector = builder.build()
        self.high_accuracy = high_accuracy
        hints = load_json("language_hints.json")
        self._scandinavian: tuple[str, ...] = tuple(hints["scandinavian"])
        self._markers: dict[str, frozenset[str]] = {
            code: frozenset(words) for code, words in hints["markers"].items()
        }
        self._distinct: dict[str, frozenset[str]] = {
            code: words.difference(*(w for c, w in self._markers.items() if c != code))
            for code, words in self._markers.items()
        }
        self._exclusive: dict[str, frozenset[str]] = {
            code: frozenset(hints["exclusive"].get(code, ())) for code in self._scandinavian
        }
        self._greetings: dict[str, str] = hints["greetings"]
        self._greeting_by_country: dict[str, dict[str, str]] = hints["greeting_by_country"]
        # lingua's Rust detector is thread-safe; the lock only guards first use.
        self._lock = threading.Lock()

    def identify(self, text: str, *, country: str | None = None) -> LanguageGuess:
        cleaned = _NOISE.sub(" ", text)
        words = [w.lower() for w in _WORD.findall(cleaned)]
        if not words:
            return LanguageGuess(UNDETERMINED, 1.0, "no words (emoji, numbers or empty)")
        greeting = self._greeting(words, country)
        if greeting is not None:
            return greeting
        scores = self._lingua_scores(cleaned)
        best, reason = self._rerank(words, scores)
        return LanguageGuess(best, min(1.0, scores[best]), reason)

    def _greeting(self, words: list[str], country: str | None) -> LanguageGuess | None:
        if len(words) > 2:
            return None
        phrase = " ".join(words)
        by_country = self._greeting_by_country.get(phrase, {})
        if country and country.upper() in by_country:
            return LanguageGuess(by_country[country.upper()], 0.6, f"greeting '{phrase}'")
        if phrase in self._greetings:
            return LanguageGuess(self._greetings[phrase], 0.6, f"greeting '{phrase}'")
        return None

    def _lingua_scores(self, text: str) -> dict[str, float]:
        values = self._detector.compute_language_confidence_values(text)
        scores = dict.fromkeys(LANGUAGES, 0.0)
        for value in values:
            scores[_CODE_BY_LINGUA[value.language]] = value.value
        return scores

    def _rerank(self, words: list[str], scores: dict[str, float]) -> tuple[str, str]:
        """Add marker-word evidence to lingua's confidences."""
        adjusted = dict(scores)
        hits: dict[str, int] = {}
        for code, markers in self._markers.items():
            distinct = self._distinct[code]
            hits[code] = sum(1 for w in words if w in markers)
            adjusted[code] += sum(
                _DISTINCT_MARKER_WEIGHT if w in distinct else _SHARED_MARKER_WEIGHT
                for w in words
                if w in markers
            )
        best = max(adjusted, key=adjusted.__getitem__)
        if best in self._scandinavian:
            # Within Bokmål/Nynorsk/Danish/Swedish, words that only one of them uses
            # ("eg", "ikkje", "hvad", "inte") decide over character n-grams, which
            # mostly see the shared vocabulary.
            own = {c: sum(1 for w in words if w in self._exclusive[c]) for c in self._scandinavian}
            top = max(own, key=own.__getitem__)
            if own[top] and all(own[top] > n for c, n in own.items() if c != top) and top != best:
                return top, f"{own[top]} words only used in {top}"
        if hits.get(best):
            return best, f"character n-grams + {hits[best]} {best} marker words"
        return best, "character n-grams"

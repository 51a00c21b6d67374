"""Untrusted text made storable, and inert for display.

HTML is escaped by the templates. What escaping does not stop: Unicode
bidirectional controls, which reorder what an officer sees (a name or file
name that reads differently from what it is), and invisible characters that
hide words from search and review. They are shown as visible markers instead.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Bidi embeddings, overrides and isolates; zero-width and other invisible formatting.
_INVISIBLE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060-\u2064\ufeff\u00ad\u180e]"
)


def make_inert(text: str) -> str:
    if not text:
        return text
    return _INVISIBLE.sub(lambda m: f"⟦U+{ord(m.group()):04X}⟧", text)


# JSON can carry NUL (\u0000) and lone UTF-16 surrogates (\ud800, e.g. an emoji
# cut in half); PostgreSQL refuses NUL in text, and neither can be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`value` from untrusted JSON as any database can keep it: NUL and lone
    surrogates become U+FFFD (visible, and the rest of the text is kept);
    infinity and NaN, which Python reads from JSON but PostgreSQL's JSON does
    not take, become None. Lists and objects are cleaned throughout."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value

"""Untrusted text made inert for display.

HTML is escaped by the templates. What escaping does not stop: Unicode
bidirectional controls, which reorder what an officer sees (a name or file
name that reads differently from what it is), and invisible characters that
hide words from search and review. They are shown as visible markers instead.
"""

from __future__ import annotations

import re

# Bidi embeddings, overrides and isolates; zero-width and other invisible formatting.
_INVISIBLE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060-\u2064\ufeff\u00ad\u180e]"
)


def make_inert(text: str) -> str:
    if not text:
        return text
    return _INVISIBLE.sub(lambda m: f"⟦U+{ord(m.group()):04X}⟧", text)

"""Detection and redaction of personal data.

Order of precedence, and why:

1. E-mail addresses and IBANs are unambiguous by shape and checksum.
2. National identity numbers, validated with python-stdnum. A number failing its
   country's checksum is never an identity number. Shapes that collide with phone
   numbers are resolved in favour of the identity number only when it is written
   in an identity layout (``DDMMYY-NNNN``, ``DDMMYYNNNNN``, dotted BSN...) and not
   grouped like a phone number (``040 718 2295``), and, for the two weakest
   checks (9-digit BSN, ~1 in 11 random numbers pass; Danish CPR, no checksum
   since 2007) only with supporting context: a keyword such as "BSN"/"CPR" close
   by, or a Dutch/Danish receiving country. A leading ``+`` or ``00`` always
   means a phone number.
3. Payment card numbers: 13-19 digits passing Luhn, not already claimed.
4. Phone numbers (libphonenumber), parsed for the receiving country's region;
   international numbers (``+44 ...``) are accepted at "possible" leniency
   because fictional ranges used in examples are not "valid".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu as fi_hetu
from stdnum.is_ import kennitala as is_kennitala
from stdnum.nl import bsn as nl_bsn
from stdnum.no import fodselsnummer as no_fnr
from stdnum.se import personnummer as se_pnr

from .constants import DEFAULT_COUNTRY

PII_TYPES = ("national_id", "iban", "payment_card", "phone", "email")
PLACEHOLDERS = {
    "national_id": "[NATIONAL_ID]",
    "iban": "[IBAN]",
    "payment_card": "[CARD]",
    "phone": "[PHONE]",
    "email": "[EMAIL]",
}


@dataclass(frozen=True, slots=True)
class PiiHit:
    """One piece of personal data; ``start``/``end`` index the original text."""

    type: str
    start: int
    end: int
    subtype: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"type": self.type, "start": self.start, "end": self.end}
        if self.subtype:
            data["subtype"] = self.subtype
        return data


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{1,4}){3,8}\b")
# Digit runs with single separators inside; HETU's century sign may be a letter.
_NUMBER = re.compile(r"(?<![\w+])(\+|00)?\d(?:[ .\-/]?\d){6,22}(?![\w])")
_HETU = re.compile(r"(?<!\w)\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?!\w)", re.IGNORECASE)

_ID_KEYWORDS = re.compile(
    r"bsn|burgerservice|sofi|cpr|personnummer|personnr|fødselsnummer|fodselsnummer|"
    r"fødselsnr|f\.nr|fnr|hetu|henkilötunnus|sotu|kennitala|kt\.|rijksregister|"
    r"registre national|niss|steuer|identifikationsnummer|id-?nummer|identity number|"
    r"national id|ssn|personal number|persónu",
    re.IGNORECASE,
)

# Digit-group layouts in which identity numbers are written, per country.
_ID_LAYOUTS: dict[str, set[tuple[int, ...]]] = {
    "NO": {(11,), (6, 5)},
    "BE": {(11,), (2, 2, 2, 3, 2), (6, 3, 2), (2, 2, 2, 5), (6, 5)},
    "DE": {(11,), (2, 3, 3, 3)},
    "IS": {(10,), (6, 4)},
    "SE": {(10,), (6, 4), (12,), (8, 4)},
    "DK": {(10,), (6, 4)},
    "NL": {(9,), (4, 2, 3), (3, 3, 3)},
}
_VALIDATORS: dict[str, Callable[[str], str]] = {
    "NO": no_fnr.validate,
    "BE": be_nn.validate,
    "DE": de_idnr.validate,
    "IS": is_kennitala.validate,
    "SE": se_pnr.validate,
    "DK": dk_cpr.validate,
    "NL": nl_bsn.validate,
}
_DEFAULT_ID_ORDER = ("NO", "IS", "SE", "BE", "DE", "FI", "DK", "NL")
# Countries whose check is too weak to trust without context (see module docstring).
_WEAK_ID_COUNTRIES = frozenset({"NL", "DK"})


def _groups(raw: str) -> tuple[int, ...]:
    return tuple(len(g) for g in re.split(r"[ .\-/]", raw) if g)


def _valid(country: str, digits: str) -> bool:
    try:
        _VALIDATORS[country](digits)
    except (ValidationError, ValueError):
        return False
    if country == "IS":
        # Organisation numbers (day + 40) are not personal data of a person but are
        # still identifiers; keep them, stdnum validated the checksum.
        return True
    if country == "DK":
        # CPR lost its checksum in 2007; demand the mod-11 check as extra evidence.
        return dk_cpr.checksum(digits) == 0
    return True


def _national_id_country(raw: str, context: str, preferred: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    layout = _groups(raw)
    has_keyword = bool(_ID_KEYWORDS.search(context))
    order = (preferred, *(c for c in _DEFAULT_ID_ORDER if c != preferred))
    for country in order:
        if country == "FI" or layout not in _ID_LAYOUTS[country]:
            continue
        if country in _WEAK_ID_COUNTRIES and not (has_keyword or preferred == country):
            continue
        if country == "NL" and digits.startswith("0"):
            continue  # national-format phone numbers start with 0; BSNs here do not
        if _valid(country, digits):
            return country
    return None


def _overlaps(hits: Iterable[PiiHit], start: int, end: int) -> bool:
    return any(h.start < end and start < h.end for h in hits)


_MIN_DIGITS = 7


class PiiDetector:
    """Finds personal data; stateless and thread-safe."""

    def find(self, text: str, country: str | None = None) -> list[PiiHit]:
        region = (country or DEFAULT_COUNTRY).upper()
        hits: list[PiiHit] = []
        if "@" in text:
            hits.extend(self._emails(text))
        if sum(ch.isdigit() for ch in text) < _MIN_DIGITS:
            # No identity, card, account or phone number has fewer digits (IS phones: 7);
            # most chat messages stop here, which keeps triage fast.
            return hits
        hits.extend(self._ibans(text, hits))
        hits.extend(self._national_ids(text, region, hits))
        hits.extend(self._cards(text, hits))
        hits.extend(self._phones(text, region, hits))
        return sorted(hits, key=lambda h: h.start)

    @staticmethod
    def _emails(text: str) -> list[PiiHit]:
        return [PiiHit("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]

    @staticmethod
    def _ibans(text: str, taken: list[PiiHit]) -> list[PiiHit]:
        found: list[PiiHit] = []
        for match in _IBAN.finditer(text):
            # The regex may swallow a trailing group that is not part of the IBAN;
            # shrink from the right until the checksum holds.
            candidate = match.group(0)
            while candidate:
                if std_iban.is_valid(candidate):
                    start, end = match.start(), match.start() + len(candidate)
                    if not _overlaps(taken, start, end):
                        found.append(PiiHit("iban", start, end, candidate[:2].upper()))
                    break
                cut = candidate.rfind(" ")
                candidate = candidate[:cut] if cut > 0 else candidate[:-1]
                if len(re.sub(r"\s", "", candidate)) < 15:
                    break
        return found

    def _national_ids(self, text: str, region: str, taken: list[PiiHit]) -> list[PiiHit]:
        found: list[PiiHit] = []
        for match in _HETU.finditer(text):
            if fi_hetu.is_valid(match.group(0)) and not _overlaps(taken, *match.span()):
                found.append(PiiHit("national_id", match.start(), match.end(), "FI"))
        for match in _NUMBER.finditer(text):
            start, end = match.span()
            if match.group(1) or _overlaps([*taken, *found], start, end):
                continue
            context = text[max(0, start - 40) : start]
            country = _national_id_country(match.group(0), context, region)
            if country:
                found.append(PiiHit("national_id", start, end, country))
        return found

    @staticmethod
    def _cards(text: str, taken: list[PiiHit]) -> list[PiiHit]:
        found: list[PiiHit] = []
        for match in _NUMBER.finditer(text):
            start, end = match.span()
            if match.group(1) or _overlaps(taken, start, end):
                continue
            digits = re.sub(r"\D", "", match.group(0))
            # Cards are written in blocks of 4 (Amex 4-6-5) or contiguous.
            if 13 <= len(digits) <= 19 and luhn.is_valid(digits) and "." not in match.group(0):
                found.append(PiiHit("payment_card", start, end))
        return found

    @staticmethod
    def _phones(text: str, region: str, taken: list[PiiHit]) -> list[PiiHit]:
        found: list[PiiHit] = []
        # One pass at "possible" leniency; national numbers must also be valid for the
        # region, international ones (+44 ...) may be from ranges kept for fiction.
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.POSSIBLE
        ):
            if not (match.raw_string.startswith("+") or phonenumbers.is_valid_number(match.number)):
                continue
            if _overlaps([*taken, *found], match.start, match.end):
                continue
            subtype = phonenumbers.region_code_for_number(match.number)
            found.append(PiiHit("phone", match.start, match.end, subtype or None))
        return found


def redact(text: str, hits: Iterable[PiiHit]) -> str:
    """Replace every hit with its typed placeholder (hits must not overlap)."""
    parts: list[str] = []
    cursor = 0
    for hit in sorted(hits, key=lambda h: h.start):
        parts.append(text[cursor : hit.start])
        parts.append(PLACEHOLDERS[hit.type])
        cursor = hit.end
    parts.append(text[cursor:])
    return "".join(parts)

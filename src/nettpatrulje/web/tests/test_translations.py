"""The interface is fully translated, and stays so.

The catalogues are generated from the package directory with::

    cd src/nettpatrulje && DJANGO_SETTINGS_MODULE=nettpatrulje.test_settings \\
        ../../.venv/bin/python -m django makemessages -l nb -l en \\
        --ignore 'tests/*' --no-obsolete

then translated, and compiled with polib (``polib.pofile(po).save_as_mofile(mo)``) so
installing never needs GNU gettext. These tests need neither gettext nor a database.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import DebugLexer, TokenType
from django.utils import translation
from django.utils.translation.template import templatize

import nettpatrulje

PACKAGE_DIR = Path(nettpatrulje.__file__).resolve().parent
# Directories makemessages is told to skip (see the command above), plus never-source ones.
SKIPPED_DIRS = {"tests", "locale", "static", "__pycache__", "node_modules"}

TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
ALL_LANGUAGES = [code for code, _name in settings.LANGUAGES]

# Words that may appear in templates untranslated: proper nouns.
ALLOWED_WORDS = {"Nettpatrulje", "Kripos", "Facebook", "Messenger", "Instagram", "Meta"}
# Attributes whose value a user sees or hears (screen readers).
VISIBLE_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
}
WORD = re.compile(r"[^\W\d_]+")
ENTITY = re.compile(r"&#?\w+;")


# Languages whose plural rule differs from "one, other by n != 1" (gettext's own rules).
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "is": "nplurals=2; plural=(n % 10 != 1 || n % 100 == 11);",
}


def _locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def _po_path(lang: str) -> Path:
    return _locale_dir() / lang / "LC_MESSAGES" / "django.po"


def _source_files(pattern: str) -> list[Path]:
    return sorted(
        p
        for p in PACKAGE_DIR.rglob(pattern)
        if not SKIPPED_DIRS.intersection(p.relative_to(PACKAGE_DIR).parts[:-1])
        and not any(part.startswith(".") for part in p.relative_to(PACKAGE_DIR).parts)
    )


def _templates() -> list[Path]:
    return sorted(
        p for p in _source_files("*.html") if "templates" in p.relative_to(PACKAGE_DIR).parts
    )


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR))


# --- (a) the catalogues are complete -----------------------------------------------------


def test_languages_have_catalogues():
    assert TRANSLATED_LANGUAGES, "settings.LANGUAGES has no language besides English"
    assert settings.LOCALE_PATHS
    for lang in ALL_LANGUAGES:
        assert _po_path(lang).is_file(), f"missing {_po_path(lang)}: run makemessages -l {lang}"


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_catalogue_fully_translated(lang):
    po = polib.pofile(str(_po_path(lang)))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy entries (review, then remove the flag): {fuzzy}"
    assert not po.metadata_is_fuzzy, f"{lang}: the catalogue header is marked fuzzy"
    assert po.metadata.get("Language") == lang
    assert po.metadata.get("Plural-Forms") == PLURAL_FORMS.get(lang, "nplurals=2; plural=(n != 1);")


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_placeholders_and_plurals_preserved(lang):
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|\{\w*\}")
    problems = []
    for e in polib.pofile(str(_po_path(lang))):
        if e.obsolete:
            continue
        wanted = sorted(placeholder.findall(e.msgid))
        if e.msgid_plural:
            if sorted(e.msgstr_plural) != [0, 1]:
                problems.append((e.msgid, "needs exactly two plural forms"))
            # The singular form may leave the number out; neither may invent one.
            wanted_plural = sorted(placeholder.findall(e.msgid_plural))
            for form in e.msgstr_plural.values():
                got = sorted(placeholder.findall(form))
                if got != wanted_plural and got != wanted:
                    problems.append((e.msgid, form))
        elif sorted(placeholder.findall(e.msgstr)) != wanted:
            problems.append((e.msgid, e.msgstr))
    assert not problems, f"{lang}: placeholders changed: {problems}"


def _python_msgids(path: Path) -> set[tuple[str | None, str]]:
    names = {
        "_": (None, 0),
        "gettext": (None, 0),
        "gettext_lazy": (None, 0),
        "gettext_noop": (None, 0),
        "ngettext": (None, 0),
        "ngettext_lazy": (None, 0),
        "pgettext": (0, 1),
        "pgettext_lazy": (0, 1),
        "npgettext": (0, 1),
        "npgettext_lazy": (0, 1),
    }
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in names:
            continue
        ctx_i, msg_i = names[name]
        args = node.args
        if len(args) <= msg_i or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[: msg_i + 1]
        ):
            continue
        found.add((args[ctx_i].value if ctx_i is not None else None, args[msg_i].value))
    return found


_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(
    rf"\b(npgettext|pgettext|ngettext|gettext)\(\s*({_LITERAL}(?:\s*,\s*{_LITERAL})*)"
)


def _template_msgids(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for match in _TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=path)):
        literals = [ast.literal_eval(s) for s in re.findall(_LITERAL, match.group(2))]
        if match.group(1).startswith(("p", "np")):
            found.add((literals[0], literals[1]))
        else:
            found.add((None, literals[0]))
    return found


def test_catalogue_covers_every_source_string():
    """A string added in code or a template without regenerating the catalogue fails here."""
    wanted: dict[tuple[str | None, str], str] = {}
    for path in _source_files("*.py"):
        for key in _python_msgids(path):
            wanted.setdefault(key, _rel(path))
    for path in _templates():
        for key in _template_msgids(path):
            wanted.setdefault(key, _rel(path))
    assert ("", "Inbox") not in wanted and (None, "Inbox") in wanted  # the scan works
    for lang in ALL_LANGUAGES:
        po = polib.pofile(str(_po_path(lang)))
        have = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
        missing = sorted(
            f"{where}: {msgid!r}"
            for (ctx, msgid), where in wanted.items()
            if (ctx, msgid) not in have
        )
        assert not missing, (
            f"{lang}: not in the catalogue; run makemessages (see this module's docstring), "
            f"translate, recompile: {missing}"
        )


# --- (b) the compiled catalogues match their sources -------------------------------------


def _mo_pairs(mo: polib.MOFile) -> set[tuple]:
    return {
        (
            e.msgctxt,
            e.msgid,
            e.msgid_plural,
            tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr,
        )
        for e in mo
    }


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_mo_is_up_to_date(lang, tmp_path):
    po_path = _po_path(lang)
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"missing {mo_path}"
    fresh = tmp_path / "django.mo"
    polib.pofile(str(po_path)).save_as_mofile(str(fresh))
    committed, expected = polib.mofile(str(mo_path)), polib.mofile(str(fresh))
    stale = _mo_pairs(committed) ^ _mo_pairs(expected)
    assert not stale, (
        f"{mo_path} is out of date with its .po; recompile with "
        f"polib.pofile(po).save_as_mofile(mo). Differences: {sorted(stale, key=str)[:20]}"
    )
    assert committed.metadata.get("Plural-Forms") == expected.metadata.get("Plural-Forms")


# --- (c) no user-visible text in templates outside translation tags -----------------------


def _blank(source: str) -> str:
    """The template with every tag, variable, comment and translated block blanked out.

    Blanks keep newlines, so line numbers still match the file.
    """
    out = list(source)
    skipping_until = None  # the closing tag of a {% blocktranslate %} or {% comment %}
    for token in DebugLexer(source).tokenize():
        words = token.contents.split() if token.token_type == TokenType.BLOCK else []
        if skipping_until:
            if words[:1] == [skipping_until]:
                skipping_until = None
        elif token.token_type == TokenType.TEXT:
            continue
        elif words and words[0] in ("blocktranslate", "blocktrans", "comment"):
            skipping_until = "end" + words[0]
        start, end = token.position
        for i in range(start, end):
            if out[i] != "\n":
                out[i] = " "
    return "".join(out)


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw = 0  # inside <script>, <style> or <kbd> (key names are not language)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "kbd"):
            self._raw += 1
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and (dict(attrs).get("type") or "").lower() in ("submit", "button", "reset")
            )
            if visible and value:
                self.found.append((self.getpos()[0], value))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "kbd") and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if not self._raw and data.strip():
            self.found.append((self.getpos()[0], data))


_UNTRANSLATED_FILTER_ARG = re.compile(
    r"""\|\s*(?:default|default_if_none|yesno)\s*:\s*(["'])(.*?)\1"""
)


def untranslated_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for every piece of user-visible template text outside translation tags."""
    problems = []
    for token in DebugLexer(source).tokenize():
        # {{ x|default:"Unknown" }} shows "Unknown" as is; {{ x|default:_("Unknown") }} is fine.
        if token.token_type == TokenType.VAR:
            for _q, arg in _UNTRANSLATED_FILTER_ARG.findall(token.contents):
                if set(WORD.findall(arg)) - ALLOWED_WORDS:
                    problems.append((token.lineno, arg))
    parser = _VisibleText()
    parser.feed(_blank(source))
    parser.close()
    for line, text in parser.found:
        words = set(WORD.findall(ENTITY.sub(" ", text))) - ALLOWED_WORDS
        if words:
            problems.append((line, " ".join(text.split())))
    return problems


def test_templates_found():
    names = {_rel(p) for p in _templates()}
    assert "web/templates/web/base.html" in names
    assert "inbox/templates/inbox/list.html" in names


@pytest.mark.parametrize("path", _templates(), ids=_rel)
def test_template_text_is_translatable(path):
    problems = untranslated_text(path.read_text(encoding="utf-8"))
    assert not problems, "text outside {% translate %}:\n" + "\n".join(
        f"{_rel(path)}:{line}: {text!r}" for line, text in problems
    )


@pytest.mark.parametrize(
    "source, bad",
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<p>{% translate "Hello" %} · Nettpatrulje — 📎 ←</p>', []),
        ('<a title="Open it" href="{% url "x" %}">{{ a.name }}</a>', ["Open it"]),
        ("<button aria-label=\"{% translate 'Close' %}\">×</button>", []),
        (
            "{% blocktranslate count n=k %}{{ n }} day{% plural %}"
            "{{ n }} days{% endblocktranslate %}",
            [],
        ),
        ("{# a comment #}{% comment %}Not shown{% endcomment %}<!-- nor this -->", []),
        ("<script>const label = 'Hidden';</script><style>p::after{content:'x'}</style>", []),
        ("<p>&nbsp;&mdash;&hellip;</p>", []),
        ('{{ c.name|default:"Unknown" }} {{ c.x|default:"—" }}', ["Unknown"]),
        ('<input type="submit" value="Go"><input type="hidden" value="abc">', ["Go"]),
    ],
)
def test_untranslated_text_detector(source, bad):
    assert [text for _line, text in untranslated_text(source)] == bad


# --- (d) Django actually serves the translations -----------------------------------------


def test_bokmal_is_served():
    with translation.override("nb"):
        assert translation.gettext("Inbox") == "Innboks"
        assert translation.gettext("Assignee") == "Saksbehandler"
        assert translation.gettext("Queued") == "I kø"
        assert "%(tz)s" in translation.gettext("Unknown time zone: %(tz)s")
    with translation.override("en"):
        assert translation.gettext("Inbox") == "Inbox"

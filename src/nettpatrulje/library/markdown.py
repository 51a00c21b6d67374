"""A small Markdown renderer for library articles, always followed by nh3.

Supports what method descriptions need: headings, paragraphs, bulleted and
numbered lists, block quotes, **strong**, *emphasis*, `code` and [links](url).
The source is HTML-escaped before any markup is produced, and the result is
sanitised again with nh3 (allow-list of tags, attributes and URL schemes), so
raw HTML, event handlers and `javascript:` links in an article stay inert.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "a",
    "blockquote", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_QUOTE = re.compile(r"^&gt;\s?(.*)$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_SAFE_URL = re.compile(r"^(https?://|mailto:|/|#)", re.IGNORECASE)


def _link(match: re.Match) -> str:
    text, url = match.group(1), match.group(2)
    # The URL is already escaped text; only known schemes and local paths become links.
    if not _SAFE_URL.match(html.unescape(url)):
        return text
    return f'<a href="{url}">{text}</a>'


def _inline(text: str) -> str:
    codes: list[str] = []

    def keep(m: re.Match) -> str:
        codes.append(m.group(1))
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep, text)
    text = _LINK.sub(_link, text)
    text = _STRONG.sub(r"<strong>\1</strong>", text)
    text = _EM.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: f"<code>{codes[int(m.group(1))]}</code>", text)


def render_html(source: str) -> str:
    """Markdown → unsanitised HTML (escaped source); use `render` for output."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag = ""
    quote: list[str] = []

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()
        if quote:
            out.append("<blockquote><p>" + _inline(" ".join(quote)) + "</p></blockquote>")
            quote.clear()
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = ""

    for raw in html.escape(source.replace("\r\n", "\n"), quote=True).split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            level = len(m.group(1)) + 1  # the page title is the h1
            out.append(f"<h{min(level, 4)}>{_inline(m.group(2))}</h{min(level, 4)}>")
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            wanted = "ul" if bullet else "ol"
            if paragraph or quote or (list_tag and list_tag != wanted):
                flush()
            if not list_tag:
                out.append(f"<{wanted}>")
                list_tag = wanted
            out.append("<li>" + _inline((bullet or numbered).group(1)) + "</li>")
            continue
        if m := _QUOTE.match(line):
            if paragraph or list_tag:
                flush()
            quote.append(m.group(1))
            continue
        if list_tag or quote:
            flush()
        paragraph.append(line.strip())
    flush()
    return "\n".join(out)


def sanitise(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render(source: str) -> str:
    """Markdown → safe HTML: escaped, rendered, then sanitised with nh3."""
    return sanitise(render_html(source))


def plain_excerpt(source: str, length: int = 160) -> str:
    text = re.sub(r"[#*_`>\[\]]|\(https?://[^)]*\)", "", source)
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"

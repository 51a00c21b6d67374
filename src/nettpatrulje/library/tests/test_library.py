from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied

from nettpatrulje.library import selectors
from nettpatrulje.library.markdown import ALLOWED_TAGS, render
from nettpatrulje.library.models import Article, ArticleVersion
from nettpatrulje.library.services import article_create, article_edit
from nettpatrulje.testing.factories import AgencyFactory, UserFactory

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '[x](https://ok.example" onmouseover="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    "**<svg onload=alert(1)>**",
    "<style>body{display:none}</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


def test_markdown_basics():
    html = render("# Title\n\nA **b** *c* `d` [e](https://x.example)\n\n- one\n- two\n\n1. first")
    assert "<h2>Title</h2>" in html
    assert "<strong>b</strong>" in html and "<em>c</em>" in html and "<code>d</code>" in html
    assert '<a href="https://x.example" rel="noopener noreferrer nofollow">e</a>' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html and "<ol>" in html


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_are_inert(payload):
    """Whatever the source, the output holds only allowed tags, no event handler
    attributes and no link outside http(s)/mailto."""
    parser = _Markup()
    parser.feed(render(payload))
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (payload, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (payload, name)
            if name == "href":
                assert value.lower().startswith(("http://", "https://", "mailto:")), payload


@pytest.fixture
def agencies(db):
    return AgencyFactory(slug="kripos", country="NO"), AgencyFactory(slug="poliisi", country="FI")


def test_versions_record_who_changed_what(agencies):
    no, _fi = agencies
    mentor = UserFactory(agency=no, roles=["mentor"])
    kari = UserFactory(agency=no, roles=["supervisor"])
    article = article_create(actor=mentor, slug="a", language="en", title="T", body="one")
    article_edit(actor=kari, article=article, language="en", title="T", body="two", note="typo")
    article_edit(actor=mentor, article=article, language="nb", title="T nb", body="en")
    assert (
        article_edit(actor=mentor, article=article, language="nb", title="T nb", body="en") is None
    )
    versions = list(ArticleVersion.objects.filter(article=article).order_by("number"))
    assert [(v.number, v.language, v.editor, v.body) for v in versions] == [
        (1, "en", mentor, "one"),
        (2, "en", kari, "two"),
        (3, "nb", mentor, "en"),
    ]
    assert versions[1].note == "typo"


def test_only_the_authors_agency_edits_and_sharing_follows_operations(agencies):
    from datetime import date

    from nettpatrulje.patrols.services import operation_create

    no, fi = agencies
    mentor = UserFactory(agency=no, roles=["mentor"])
    aino = UserFactory(agency=fi, roles=["officer", "mentor"])
    article = article_create(actor=mentor, slug="a", language="en", title="Gaming", body="x")
    assert not Article.objects.visible_to(aino).exists()
    coordinator = UserFactory(agency=no, roles=["coordinator"])
    operation_create(
        actor=coordinator, name="AW", starts_on=date(2023, 11, 20), ends_on=date(2023, 11, 24),
        participants=[fi],
    )  # fmt: skip
    assert list(Article.objects.visible_to(aino)) == [article]
    with pytest.raises(PermissionDenied):
        article_edit(actor=aino, article=article, language="fi", title="x", body="y")


def test_search_across_languages(agencies):
    no, _ = agencies
    mentor = UserFactory(agency=no, roles=["mentor"])
    a = article_create(actor=mentor, slug="s", language="en", title="Sextortion", body="Do not pay")
    article_edit(
        actor=mentor, article=a, language="nb", title="Seksuell utpressing", body="Ikke BETAL"
    )
    b = article_create(actor=mentor, slug="d", language="en", title="Discord guide", body="servers")
    assert list(selectors.article_list(user=mentor, query="betal")) == [a]
    assert list(selectors.article_list(user=mentor, query="UTPRESSING")) == [a]
    assert list(selectors.article_list(user=mentor, query="discord")) == [b]
    assert set(selectors.article_list(user=mentor, query="")) == {a, b}


def test_pages_render_sanitised(agencies, client):
    no, _ = agencies
    mentor = UserFactory(agency=no, roles=["mentor"])
    client.force_login(mentor)
    response = client.post(
        "/library/new/",
        {"language": "en", "title": "Evil", "body": XSS[0] + "\n\n" + XSS[2], "note": ""},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in page and "javascript:" not in page
    assert "&lt;script&gt;" in page

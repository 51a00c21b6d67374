"""Reads of the methods library, always starting from `Article.objects.visible_to`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from nettpatrulje.accounts.scoping import get_visible_or_404
from nettpatrulje.library.markdown import render
from nettpatrulje.library.models import Article, ArticleTranslation, ArticleVersion, Tag


def article_list(*, user: Any, query: str = "", tag: str = "") -> QuerySet[Article]:
    """Search is case-insensitive over the title and body of every translation, so a
    Finnish officer finds a Norwegian article by its English title."""
    qs = Article.objects.visible_to(user)
    query = (query or "").strip()
    if query:
        matching = ArticleTranslation.objects.filter(
            Q(title__icontains=query) | Q(body__icontains=query)
        ).values("article_id")
        qs = qs.filter(pk__in=matching)
    if tag:
        qs = qs.filter(tags__name=tag)
    return (
        qs.select_related("agency")
        .prefetch_related("tags", Prefetch("translations"))
        .order_by("-updated_at", "slug")
    )


def article_get(*, user: Any, article_id: int) -> Article:
    return get_visible_or_404(
        Article.objects.select_related("agency").prefetch_related("tags", "translations"),
        user,
        pk=article_id,
    )


def article_choices(*, user: Any) -> QuerySet[Article]:
    return Article.objects.visible_to(user).prefetch_related("translations").order_by("slug")


def article_versions(*, article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("editor")


def tags_by_kind() -> dict[str, list[Tag]]:
    out: dict[str, list[Tag]] = {}
    for tag in Tag.objects.all():
        out.setdefault(tag.kind, []).append(tag)
    return out


def rendered(translation: ArticleTranslation | None) -> SafeString:
    """The sanitised HTML of a translation (Markdown rendered, then cleaned by nh3)."""
    # Safe: library.markdown.render escapes the source and sanitises with nh3.
    return mark_safe(render(translation.body)) if translation else mark_safe("")

"""Writes to the methods library. Every edit of a translation is a new version row,
recorded in the audit trail; only the authors' agency edits an article."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from nettpatrulje.audit.services import audit_log
from nettpatrulje.library.models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    CannedResponseArticle,
    Tag,
)


def tags_from_names(names: Iterable[tuple[str, str]]) -> list[Tag]:
    """(kind, name) pairs → tags, created on first use."""
    out = []
    for kind, name in names:
        slug = slugify(name)
        if slug:
            out.append(Tag.objects.get_or_create(kind=kind, name=slug)[0])
    return out


@transaction.atomic
def article_create(
    *,
    actor: Any,
    slug: str,
    language: str,
    title: str,
    body: str,
    tags: Iterable[Tag] = (),
    note: str = "",
    now=None,
) -> Article:
    if actor.agency_id is None:
        raise PermissionDenied("no agency")
    now = now or timezone.now()
    article = Article.objects.create(
        agency_id=actor.agency_id,
        slug=slugify(slug) or slugify(title)[:80],
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    article.tags.set(list(tags))
    _save_translation(article, actor=actor, language=language, title=title, body=body, note=note)
    audit_log(action="article.create", actor=actor, obj=article, detail={"language": language})
    return article


@transaction.atomic
def article_edit(
    *, actor: Any, article: Article, language: str, title: str, body: str, note: str = ""
) -> ArticleVersion | None:
    """Save one translation. Returns the new version, or None when nothing changed."""
    _check_author_agency(actor, article)
    current = article.translations.filter(language=language).first()
    if current and current.title == title and current.body == body:
        return None
    version = _save_translation(
        article, actor=actor, language=language, title=title, body=body, note=note
    )
    Article.objects.filter(pk=article.pk).update(updated_at=version.created_at)
    audit_log(
        action="article.edit",
        actor=actor,
        obj=article,
        detail={"language": language, "version": version.number},
    )
    return version


@transaction.atomic
def article_set_tags(*, actor: Any, article: Article, tags: Iterable[Tag]) -> None:
    _check_author_agency(actor, article)
    tags = list(tags)
    article.tags.set(tags)
    audit_log(
        action="article.tags", actor=actor, obj=article, detail={"tags": [t.name for t in tags]}
    )


@transaction.atomic
def canned_response_link(*, actor: Any, canned_response: Any, article: Article) -> None:
    """Point a canned response of the actor's agency to a library article it may read."""
    if canned_response.agency_id != actor.agency_id:
        raise PermissionDenied("not your canned response")
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise PermissionDenied("article not visible")
    CannedResponseArticle.objects.get_or_create(canned_response=canned_response, article=article)
    audit_log(
        action="article.link_canned",
        actor=actor,
        obj=article,
        agency_id=actor.agency_id,
        detail={"canned_response": canned_response.pk},
    )


def _check_author_agency(actor: Any, article: Article) -> None:
    if actor.agency_id is None or actor.agency_id != article.agency_id:
        raise PermissionDenied("only the authors' agency edits an article")


def _save_translation(
    article: Article, *, actor: Any, language: str, title: str, body: str, note: str
) -> ArticleVersion:
    now = timezone.now()
    ArticleTranslation.objects.update_or_create(
        article=article,
        language=language,
        defaults={"title": title, "body": body, "updated_at": now},
    )
    # Versions are numbered per article; the row lock on the article serialises editors.
    Article.objects.select_for_update().filter(pk=article.pk).first()
    last = article.versions.aggregate(n=Max("number"))["n"] or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        language=language,
        title=title,
        body=body,
        note=note[:200],
        editor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )

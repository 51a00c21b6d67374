"""The methods library: articles in Markdown, one translation per language, every
edit kept as a version, tags by platform, topic and audience.

Articles belong to their authors' agency (only it edits them) and are read by
every agency that shares an operation with it: the one visibility rule lives in
`ArticleQuerySet.visible_to`."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nettpatrulje.accounts.models import Agency
from nettpatrulje.accounts.scoping import AgencyScopedQuerySet


class ArticleQuerySet(AgencyScopedQuerySet):
    def visible_to(self, user: Any) -> ArticleQuerySet:
        """Own agency's articles, plus those of every agency that takes part in an
        operation together with the user's agency (methods are exchanged there)."""
        agency_id = getattr(user, "agency_id", None)
        if not getattr(user, "is_authenticated", False) or agency_id is None:
            return self.none()
        Operation = apps.get_model("patrols", "Operation")
        mine = Operation.objects.filter(Q(lead_id=agency_id) | Q(participants__id=agency_id))
        partners = Agency.objects.filter(
            Q(led_operations__in=mine) | Q(operations__in=mine)
        ).values("pk")
        return self.filter(Q(agency_id=agency_id) | Q(agency_id__in=partners)).distinct()


class Tag(models.Model):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        TOPIC = "topic", _("Topic")
        AUDIENCE = "audience", _("Audience")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.SlugField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="tag_unique")]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=80)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="article_unique_slug")
        ]
        ordering = ["slug"]

    def __str__(self) -> str:
        t = self.translation()
        return t.title if t else self.slug

    def translation(self, language: str = "") -> ArticleTranslation | None:
        """The translation in `language`, else English, else any."""
        found = {t.language: t for t in self.translations.all()}
        for code in (language, (language or "")[:2], "en"):
            if code in found:
                return found[code]
        return next(iter(found.values()), None)


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="translation_unique")
        ]
        ordering = ["language"]


class ArticleVersion(models.Model):
    """Append-only: every saved edit of a translation, with who made it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    body = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="version_unique_number")
        ]
        ordering = ["-number"]


class CannedResponseArticle(models.Model):
    """A canned response pointing the officer to the method behind it."""

    canned_response = models.ForeignKey(
        "inbox.CannedResponse", on_delete=models.CASCADE, related_name="article_links"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="canned_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["canned_response", "article"], name="canned_article_unique"
            )
        ]

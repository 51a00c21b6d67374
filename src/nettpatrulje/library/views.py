"""Methods library pages. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nettpatrulje.accounts.decorators import agency_member_required, permission
from nettpatrulje.library import selectors, services
from nettpatrulje.library.forms import ArticleForm, SearchForm


@agency_member_required
@permission("library.view_article")
def article_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = request.GET.get("q", "")
    tag = request.GET.get("tag", "")
    articles = selectors.article_list(user=request.user, query=query, tag=tag)[:200]
    lang = get_language()
    rows = [(a, a.translation(lang)) for a in articles]
    return render(
        request,
        "library/list.html",
        {
            "form": form,
            "rows": rows,
            "query": query,
            "tag": tag,
            "tags": selectors.tags_by_kind(),
            "can_add": request.user.has_perm("library.add_article"),
        },
    )


@agency_member_required
@permission("library.view_article")
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, article_id=article_id)
    lang = request.GET.get("lang") or get_language()
    translation = article.translation(lang)
    return render(
        request,
        "library/detail.html",
        {
            "article": article,
            "translation": translation,
            "html": selectors.rendered(translation),
            "translations": article.translations.all(),
            "can_edit": request.user.has_perm("library.change_article")
            and article.agency_id == request.user.agency_id,
        },
    )


@agency_member_required
@permission("library.add_article")
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        article = services.article_create(
            actor=request.user,
            slug=d["title"],
            language=d["language"],
            title=d["title"],
            body=d["body"],
            tags=d["tags"],
            note=d["note"],
        )
        messages.success(request, _("Article saved."))
        return redirect("library:detail", article_id=article.pk)
    return render(request, "library/edit.html", {"form": form, "article": None})


@agency_member_required
@permission("library.change_article")
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, article_id=article_id)
    if article.agency_id != request.user.agency_id:
        raise PermissionDenied("only the authors' agency edits an article")
    lang = request.GET.get("lang") or get_language()
    current = article.translations.filter(language=lang).first()
    initial = {"language": lang, "tags": list(article.tags.all())}
    if current:
        initial.update(title=current.title, body=current.body)
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.article_edit(
            actor=request.user,
            article=article,
            language=d["language"],
            title=d["title"],
            body=d["body"],
            note=d["note"],
        )
        if set(d["tags"]) != set(article.tags.all()):
            services.article_set_tags(actor=request.user, article=article, tags=d["tags"])
        messages.success(request, _("Article saved."))
        url = reverse("library:detail", args=[article.pk])
        return redirect(f"{url}?{urlencode({'lang': d['language']})}")
    return render(request, "library/edit.html", {"form": form, "article": article})


@agency_member_required
@permission("library.view_article")
def article_versions(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, article_id=article_id)
    return render(
        request,
        "library/versions.html",
        {"article": article, "versions": selectors.article_versions(article=article)},
    )

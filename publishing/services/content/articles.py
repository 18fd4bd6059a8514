"""A project's articles (the pin's link): create, update, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from audit import record as audit_trail
from publishing.models import BlogArticle, Pin, Tenant
from publishing.rules import check_article_title, check_article_url
from publishing.services.content.errors import ArticleHasPins
from publishing.services.content.projects import project_for


def article_create(*, tenant: Tenant, project_id: int, url: str, title: str = "") -> BlogArticle:
    errors: dict[str, list[str]] = {}
    project = project_for(tenant=tenant, project_id=project_id, errors=errors)
    check_article_url(url, errors)
    check_article_title(title, errors)
    if errors:
        raise ValidationError(errors)
    assert project is not None  # else an error above
    with transaction.atomic():
        article = BlogArticle.objects.create(project=project, url=url, title=title)
        audit_trail.record("article.create", article)
    return article


def article_update(*, article: BlogArticle, data: dict[str, Any]) -> BlogArticle:
    """Change ``project_id``, ``url`` and/or ``title``.

    Raises ArticleHasPins when moving an article that has pins to another project (its pins
    would be left pointing at an article of a different project).
    """
    errors: dict[str, list[str]] = {}
    before = audit_trail.snapshot(article)
    tenant = article.project.tenant
    if "project_id" in data and data["project_id"] != article.project_id:
        project = project_for(tenant=tenant, project_id=data["project_id"], errors=errors)
        if project is not None:
            pin_count = article.pins.count()
            if pin_count:
                raise ArticleHasPins(
                    f"Article {article.pk} has {pin_count} pin(s); it cannot move to another "
                    "project."
                )
            article.project = project
    if "url" in data:
        check_article_url(data["url"], errors)
        article.url = data["url"]
    if "title" in data:
        check_article_title(data["title"], errors)
        article.title = data["title"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        article.save()
        audit_trail.record("article.update", article, before=before)
    return article


def article_delete(*, article: BlogArticle) -> None:
    """Delete an article. Raises ArticleHasPins while any pin links to it."""
    try:
        with transaction.atomic():
            audit_trail.record("article.delete", article, before=audit_trail.snapshot(article), after=None)
            article.delete()
    except (ProtectedError, IntegrityError):
        # ProtectedError: pins exist. IntegrityError: a pin was added while we deleted
        # (PostgreSQL checks the deferred foreign key at commit).
        pin_count = Pin.objects.filter(article_id=article.pk).count()
        raise ArticleHasPins(
            f"Article {article.pk} has {pin_count} pin(s); delete them (or move them to "
            "another article) first."
        ) from None

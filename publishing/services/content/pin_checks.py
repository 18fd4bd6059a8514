"""A pin's board and article, read within the tenant (``publishing.selectors``) and judged by
``publishing.rules``, each problem added to ``errors`` under its field; and the stored name of an
accepted image."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.files.storage import Storage

from pinterest.models import Board
from publishing.models import BlogArticle, BlogProject, Tenant
from publishing.rules import board_problem
from publishing.selectors import article_for_tenant, board_for_tenant


def board_for(*, tenant: Tenant, board_id: int | None, project: BlogProject | None, errors: dict) -> Board | None:
    if board_id is None:
        return None
    board = board_for_tenant(tenant=tenant, board_id=board_id)
    if board is None:
        errors.setdefault("board", []).append(
            f"Board {board_id} not found among the boards of your Pinterest accounts."
        )
        return None
    problem = board_problem(board, project)
    if problem:
        errors.setdefault("board", []).append(problem)
    return board


def article_for(
    *, tenant: Tenant, article_id: int, project: BlogProject | None, errors: dict
) -> BlogArticle | None:
    article = article_for_tenant(tenant=tenant, article_id=article_id)
    if article is None:
        errors.setdefault("article", []).append(f"Article {article_id} not found.")
        return None
    if project is not None and article.project_id != project.pk:
        errors.setdefault("article", []).append(
            f"Article {article_id} is not an article of project {project.name!r}."
        )
    return article


def image_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


def files_delete(storage: Storage, names: Iterable[str]) -> None:
    """Delete the stored files ``names`` (once the commit that let go of them is done)."""
    for name in names:
        storage.delete(name)

"""A project's autopilot rule: changed through ``autopilot_rule_update`` by every way in (the API,
the admin, the planner's settings page), checked by ``autopilot.rules`` and against the tenant's
boards, so each way refuses the same input with the same message, naming the field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import record as audit_trail
from autopilot.models import AutopilotMode, AutopilotRule
from autopilot.rules import RULE_FIELDS, rule_problems, rule_whole_problems
from autopilot.selectors import project_autopilot_rule
from pinterest.models import Board
from publishing.models import BlogProject
from publishing.rules import board_problem


def _board_problems(*, project: BlogProject, board_ids: list[int]) -> list[str]:
    found = {b.pk: b for b in Board.objects.filter(connection__tenant_id=project.tenant_id, pk__in=board_ids)}
    problems = []
    for board_id in board_ids:
        board = found.get(board_id)
        problem = board_problem(board, project) if board is not None else (
            f"Board {board_id} not found among the boards of your Pinterest accounts.")
        if problem:
            problems.append(f"Board {board_id}: {problem}" if board is not None else problem)
    return problems


def autopilot_rule_update(*, project: BlogProject, data: dict[str, Any], now: datetime | None = None) -> AutopilotRule:
    """Set the project's rule from ``data`` (any of ``autopilot.rules.RULE_FIELDS``). Turning it on
    sets ``active_since`` (articles from then on get pins); off clears it. ValidationError naming
    each refused field."""
    now = now or timezone.now()
    clean, errors = rule_problems(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = project_autopilot_rule(project=project)
        if rule.pk is not None:
            rule = AutopilotRule.objects.select_for_update().get(pk=rule.pk)
        before = audit_trail.snapshot(rule) if rule.pk is not None else {}
        was_on = rule.mode != AutopilotMode.OFF
        for name, value in clean.items():
            setattr(rule, name, value)
        errors = rule_whole_problems({name: getattr(rule, name) for name in RULE_FIELDS})
        keyword_boards = list(dict.fromkeys(r["board_id"] for r in rule.keyword_rules))
        for field, board_ids in (("board_ids", list(rule.board_ids)), ("keyword_rules", keyword_boards)):
            problems = _board_problems(project=project, board_ids=board_ids)
            if problems:
                errors.setdefault(field, []).extend(problems)
        if errors:
            raise ValidationError(errors)
        is_on = rule.mode != AutopilotMode.OFF
        if is_on and not was_on:
            rule.active_since = now
        elif not is_on:
            rule.active_since = None
        rule.save()
        audit_trail.record("autopilot_rule.update", rule, before=before)
    return rule


def autopilot_rule_delete(*, rule: AutopilotRule) -> None:
    """Back to the defaults (off)."""
    with transaction.atomic():
        before, rule_id = audit_trail.snapshot(rule), rule.pk
        rule.delete()
        audit_trail.record("autopilot_rule.delete", rule, before=before, after=None, object_id=rule_id)

"""An article's autopilot run: its pins made exactly once, whoever runs it and however often.

- ``autopilot_run_open``: a feed's new article gets one ``AutopilotRun`` (unique per article), in
  the transaction that creates the article (``autopilot.receivers``), when the project's rule is
  on. An edited entry updates its article and sends nothing; a re-poll finds the article; so
  neither opens a second run, and the unique constraint would refuse one anyway.
- ``autopilot_run_claim``: a conditional UPDATE (compare-and-set) moves the run from pending (or
  running with its lease run out) to running and counts an attempt; the attempt number is the
  claim's token. Two workers given one run: one UPDATE matches, the other's finds nothing.
- ``autopilot_run_execute``: claim, then the slow parts outside any transaction (download the
  images, render the designs), then ONE transaction: lock the run, check the token is still the
  run's (a worker whose lease ran out and was overtaken commits nothing), create the pins through
  publishing's services (``designs.services.design_pin_create`` -> ``pin_create``; the schedule
  through ``pin_schedule``), and mark the run done. Pins and ``done`` commit together or not at
  all: a crash in between leaves the run to the sweep and no pin behind.
- ``autopilot_runs_sweep`` (every minute): opens runs for feed articles that have none (the
  safety net) and hands back runs whose task was lost or whose worker's lease ran out.

What the pins are (``autopilot.rules``): ``pins_per_article`` designs, the rule's templates in
turn (another image first each round), on the boards in turn (all the project's boards, a list,
or the boards whose keywords are in the article's title, description and keywords). Title from
the article's title (else its page's), description from its description, both cut at a word to
Pinterest's limits; alt text from the image's alt, else the title; the link is the article's URL
with the rule's UTM parameters when it has them (the pin's own ``link``).

``drafts`` leaves them drafts. ``queue`` schedules pin k at ``now + start_after + k * interval``
(interval pinning: one article's pins spaced across its boards) through ``pin_schedule``, the rule a
person's schedule keeps. In a project that requires approval, the queue's asks go to review
(``pins_review_request``, asked by nobody: autopilot is not an owner, and an article it read is
no owner's decision); an owner approves them in the review as any editor's. A pin without a board
(a project without a Pinterest account) stays a draft, and the run says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from autopilot.conf import autopilot_settings
from autopilot.models import AutopilotMode, AutopilotRule, AutopilotRun, BoardChoice, RunState
from autopilot.rules import (
    Plan,
    keyword_boards,
    link_with_utm,
    pin_alt_text,
    pin_description,
    pin_plans,
    pin_title,
)
from autopilot.selectors import articles_without_run, project_boards, runs_due
from autopilot.services.images import ArticleImage, article_images_download
from designs.render import Rendered
from designs.services import design_pin_create, design_render
from publishing.models import BlogArticle, Pin, ReviewAction
from publishing.services.content import pin_schedule
from publishing.services.content.review import pins_review_request

#: Feed articles older than this are not looked at by the sweep's safety net.
SWEEP_LOOKBACK = timedelta(days=2)


@dataclass
class RunReport:
    run_id: int
    outcome: str  # done | skipped (claimed elsewhere, or not due) | retry | failed
    pins: int = 0
    detail: str = ""

    def summary(self) -> str:
        return f"Autopilot run {self.run_id}: {self.outcome}" + (f", {self.pins} pins" if self.pins else "") + (
            f" ({self.detail})" if self.detail else "") + "."


def autopilot_run_open(*, article_id: int, project_id: int) -> AutopilotRun | None:
    """The article's run, opened when its project's rule is on; None when off (or already open)."""
    rule = AutopilotRule.objects.filter(project_id=project_id).exclude(mode=AutopilotMode.OFF).first()
    if rule is None:
        return None
    try:
        with transaction.atomic():
            return AutopilotRun.objects.create(article_id=article_id)
    except IntegrityError:
        return None


def autopilot_run_claim(*, run_id: int, now: datetime | None = None) -> int | None:
    """Claim the run for this worker: its attempt number (the token), or None when another
    worker holds it or it is finished."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=float(autopilot_settings.AUTOPILOT_LEASE_SECONDS))
    takeable = Q(state=RunState.PENDING) | Q(state=RunState.RUNNING, lease_until__lte=now)
    claimed = AutopilotRun.objects.filter(takeable, pk=run_id).update(
        state=RunState.RUNNING, attempts=F("attempts") + 1, lease_until=lease)
    if not claimed:
        return None
    return AutopilotRun.objects.values_list("attempts", flat=True).get(pk=run_id)


def _boards(rule: AutopilotRule, article: BlogArticle) -> list[int]:
    usable = list(project_boards(project=article.project).values_list("pk", flat=True))
    if rule.board_choice == BoardChoice.ALL:
        return usable
    listed = [board for board in rule.board_ids if board in usable]
    if rule.board_choice == BoardChoice.LIST:
        return listed
    keywords = article.metadata.get("json_ld", {}).get("keywords", "") if isinstance(article.metadata, dict) else ""
    text = " ".join([article.title, article.description, keywords if isinstance(keywords, str) else ""])
    matched = [board for board in keyword_boards(text=text, keyword_rules=rule.keyword_rules) if board in usable]
    return matched or listed or usable


def _render(article: BlogArticle, plans: list[Plan], images: list[ArticleImage]) -> list[tuple[Plan, Rendered, str]]:
    """Each plan drawn, with the alt text of the image it shows first."""
    title = article.title or article.url
    drawn = []
    for plan in plans:
        first = images[plan.variant % len(images)] if images else None
        turned = images[plan.variant % len(images):] + images[: plan.variant % len(images)] if images else []
        rendered = design_render(article=article, template=plan.template, variant=0,
                                 images=[image.data for image in turned])
        alt = first.alt if first is not None and rendered.template != "text" else ""
        drawn.append((plan, rendered, pin_alt_text(alt=alt, title=title)))
    return drawn


def _place(pins: list[Pin], rule: AutopilotRule, now: datetime) -> str:
    """Queue (or send to review) the pins that have a board; say what was left as drafts."""
    if rule.mode != AutopilotMode.QUEUE:
        return "drafts"
    start, interval = now + timedelta(minutes=rule.start_after_minutes), timedelta(minutes=rule.interval_minutes)
    boardless = 0
    for k, pin in enumerate(pins):
        if pin.board_id is None:
            boardless += 1
            continue
        at = start + k * interval
        if pin.project.requires_approval:
            pins_review_request(pins=[pin], action=ReviewAction.SCHEDULE, scheduled_at=at, by=None, now=now)
        else:
            pin_schedule(pin=pin, scheduled_at=at, now=now)
    queued = "sent to review" if pins and pins[0].project.requires_approval else "queued"
    return queued + (f"; {boardless} without a board kept as drafts" if boardless else "")


def _fail(run_id: int, token: int, detail: str, now: datetime) -> RunReport:
    attempts_left = token < int(autopilot_settings.AUTOPILOT_MAX_ATTEMPTS)
    state = RunState.PENDING if attempts_left else RunState.FAILED
    AutopilotRun.objects.filter(pk=run_id, attempts=token, state=RunState.RUNNING).update(
        state=state, detail=detail[:2000], lease_until=now + timedelta(minutes=2 ** token),
        finished_at=None if attempts_left else now)
    return RunReport(run_id, "retry" if attempts_left else "failed", detail=detail)


def autopilot_run_execute(*, run_id: int, now: datetime | None = None) -> RunReport:
    """Make the run's pins, once (see the module's docstring)."""
    now = now or timezone.now()
    token = autopilot_run_claim(run_id=run_id, now=now)
    if token is None:
        return RunReport(run_id, "skipped", detail="claimed by another worker, or finished")
    run = AutopilotRun.objects.select_related("article__project__tenant").get(pk=run_id)
    article = run.article
    rule = AutopilotRule.objects.filter(project=article.project).first()
    try:
        if rule is None or rule.mode == AutopilotMode.OFF:
            plans, drawn, skipped = [], [], ["autopilot is off"]
        else:
            plans = pin_plans(count=rule.pins_per_article, templates=rule.templates, board_ids=_boards(rule, article))
            images, skipped = article_images_download(article=article)
            drawn = _render(article, plans, images)
        with transaction.atomic():
            locked = AutopilotRun.objects.select_for_update().get(pk=run_id)
            if locked.state != RunState.RUNNING or locked.attempts != token:
                return RunReport(run_id, "skipped", detail="overtaken by another worker")
            title = pin_title(article.title or str(article.metadata.get("og", {}).get("title", "")) or article.url)
            description = pin_description(article.description)
            link = link_with_utm(article.url, source=rule.utm_source, medium=rule.utm_medium,
                                 campaign=rule.utm_campaign) if rule is not None else ""
            pins = [design_pin_create(tenant=article.project.tenant, article=article, rendered=rendered,
                                      variant=plan.variant, board_id=plan.board_id, title=title,
                                      description=description, alt_text=alt, link="" if link == article.url else link)
                    for plan, rendered, alt in drawn]
            placed = _place(pins, rule, now) if rule is not None and pins else "nothing made"
            detail = "; ".join([placed, *(f"skipped image {s}" for s in skipped)])
            locked.state, locked.pins_made, locked.detail = RunState.DONE, len(pins), detail[:2000]
            locked.finished_at, locked.lease_until = now, None
            locked.save(update_fields=["state", "pins_made", "detail", "finished_at", "lease_until"])
        return RunReport(run_id, "done", pins=len(pins), detail=placed)
    except Exception as exc:  # noqa: BLE001 -- any refusal is the run's reason, retried then given up
        return _fail(run_id, token, f"{type(exc).__name__}: {exc}", now)


def autopilot_runs_sweep(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Open the missing runs of recent feed articles and return the ids of runs to queue again."""
    now = now or timezone.now()
    for article_id, project_id in articles_without_run(since=now - SWEEP_LOOKBACK).values_list(
            "pk", "project_id")[:limit]:
        autopilot_run_open(article_id=article_id, project_id=project_id)
    return list(runs_due(now=now).values_list("pk", flat=True)[:limit])

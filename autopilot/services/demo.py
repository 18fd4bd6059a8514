"""The demo's autopilot (``make run``): the demo project follows the local blog's feed, with
autopilot queueing two designed pins per new article a minute apart, so within the demo a new
post becomes pins in the planner that go out on the stand-in.

Only for the demo tenant's project (``publishing.services.demo`` names it); the feed and the rule
are made through the feeds' and autopilot's own services, as a person would make them.
"""

from __future__ import annotations

from typing import Any

from autopilot.selectors import project_autopilot_summary
from autopilot.services.rule import autopilot_rule_update
from feeds.services.feeds import feed_create
from publishing.models import BlogProject
from publishing.services.demo import DEMO_PROJECT, DEMO_TENANT

DEMO_RULE = {"mode": "queue", "pins_per_article": 2, "templates": ["photo_band", "split", "collage", "text"],
             "board_choice": "all", "start_after_minutes": 0, "interval_minutes": 1,
             "utm_source": "pinterest", "utm_medium": "social", "utm_campaign": "autopilot"}


def _project() -> BlogProject:
    return BlogProject.objects.select_related("tenant").get(tenant__name=DEMO_TENANT, name=DEMO_PROJECT)


def autopilot_demo_setup(*, feed_url: str) -> dict[str, Any]:
    """Turn autopilot on for the demo project (before its feed's first poll, so the blog's posts
    so far get pins too) and add the local blog's feed. Returns the ids made."""
    project = _project()
    rule = autopilot_rule_update(project=project, data=DEMO_RULE)
    feed = project.feeds.filter(url=feed_url).first() or feed_create(
        tenant=project.tenant, project_id=project.pk, url=feed_url)
    return {"project_id": project.pk, "feed_id": feed.pk, "rule_id": rule.pk}


def autopilot_demo_status() -> dict[str, Any]:
    """What autopilot has done for the demo project (``project_autopilot_summary``)."""
    return project_autopilot_summary(project=_project())

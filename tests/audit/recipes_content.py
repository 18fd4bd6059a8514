"""Recipes (see ``recipes``) of the review's, the feeds' and the designs' writes."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from tests.audit.expect import ANY, Expect
from tests.factories import make_article, make_board, make_pin, make_project, make_user

FEED_URL = "https://blog.example.com/feed.xml"


def _pin(**fields):
    board = make_board()
    project = make_project(tenant=board.connection.tenant, connection=board.connection)
    return make_pin(project=project, board=board, status="draft", **fields)


def _in_review(action="schedule"):
    """A pin an editor sent for review, and an owner of its tenant."""
    from publishing.services.content.review import pins_review_request

    pin = _pin()
    editor = make_user(tenant=pin.project.tenant, role="editor")
    at = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    scheduled_at = at if action == "schedule" else None
    (pin,) = pins_review_request(pins=[pin], action=action, by=editor, scheduled_at=scheduled_at)
    return pin, make_user(tenant=pin.project.tenant)


def pins_review_request(request):
    pin, _ = _in_review()
    return Expect("pin.review_request", pin.pk, {"status": ["draft", "in_review"], "review_action": ["", "schedule"],
                                                 "review_requested_by": [None, ANY]})


def pin_review_reject(request):
    from publishing.services.content.review import pin_review_reject

    pin, owner = _in_review()
    pin_review_reject(pin=pin, by=owner, comment="A brighter photo, please")
    return Expect("pin.reject", pin.pk, {"status": ["in_review", "draft"],
                                         "review_comment": ["", "A brighter photo, please"],
                                         "reviewed_by": [None, owner.pk]})


def pin_review_approved(request):
    from publishing.services.content.review import pin_review_approved

    pin, owner = _in_review()
    pin_review_approved(pin=pin, action="schedule", by=owner)
    return Expect("pin.approve", pin.pk, {"review_action": ["schedule", ""], "reviewed_by": [None, owner.pk]})


def pin_review_release(request):
    from publishing.services.content.review import pin_review_release

    pin, owner = _in_review(action="publish")
    pin_review_release(pin=pin, by=owner)
    return Expect("pin.approve", pin.pk, {"status": ["in_review", "draft"], "review_action": ["publish", ""]})


def pin_review_restore(request):
    from publishing.services.content.review import pin_review_release, pin_review_restore

    asked, owner = _in_review(action="publish")
    released = pin_review_release(pin=asked, by=owner)
    pin_review_restore(pin=released, asked=asked)
    return Expect("pin.review_restore", asked.pk, {"status": ["draft", "in_review"], "review_action": ["", "publish"]})


def pins_review_hold_imported(request):
    from publishing.acting import acting_as
    from publishing.models import Pin
    from publishing.services.content.review import pins_review_hold_imported

    pin = _pin(scheduled_at=timezone.now() + timedelta(hours=2))
    Pin.objects.filter(pk=pin.pk).update(status="ready_to_schedule")
    pin.project.requires_approval = True
    pin.project.save()
    editor = make_user(tenant=pin.project.tenant, role="editor")
    with acting_as(editor):
        pins_review_hold_imported(project=pin.project, pin_ids=[pin.pk], now=timezone.now())
    return Expect("pin.review_request", pin.pk, {"status": ["ready_to_schedule", "in_review"],
                                                 "review_requested_by": [None, editor.pk]})


def article_upsert_from_feed(request):
    from publishing.services.content.feed_articles import FeedArticle, article_upsert_from_feed

    project = make_project()
    entry = FeedArticle(url="https://blog.example.com/soup", canonical_url="https://blog.example.com/soup",
                        guid="post-1", title="Soup")
    article, _ = article_upsert_from_feed(project_id=project.pk, entry=entry)
    return Expect("article.create", article.pk, {"title": [None, "Soup"], "source": [None, "feed"]})


def article_upsert_from_feed_edited(request):
    from publishing.services.content.feed_articles import FeedArticle, article_upsert_from_feed

    article = make_article(url="https://blog.example.com/soup", title="Soup")
    entry = FeedArticle(url=article.url, canonical_url=article.url, title="Better soup")
    article_upsert_from_feed(project_id=article.project_id, entry=entry)
    return Expect("article.update", article.pk, {"title": ["Soup", "Better soup"]})


def _feed():
    from feeds.services.feeds import feed_create

    project = make_project()
    with mock.patch("feeds.services.feeds.feed_url_problem", return_value=None):
        return feed_create(tenant=project.tenant, project_id=project.pk, url=FEED_URL)


def feed_create(request):
    feed = _feed()
    return Expect("feed.create", feed.pk, {"url": [None, FEED_URL], "project": [None, feed.project_id],
                                           "is_active": [None, True]})


def feed_update(request):
    from feeds.services.feeds import feed_update

    feed = _feed()
    feed_update(feed=feed, data={"is_active": False})
    return Expect("feed.update", feed.pk, {"is_active": [True, False]})


def feed_delete(request):
    from feeds.services.feeds import feed_delete

    feed = _feed()
    pk = feed.pk
    feed_delete(feed=feed)
    return Expect("feed.delete", pk, {"url": [FEED_URL, None]})


def design_style_update(request):
    from designs.services import design_style_update

    style = design_style_update(project=make_project(), data={"footer_text": "blog.example.com"})
    return Expect("design_style.update", style.pk, {"footer_text": [None, "blog.example.com"]})


def design_style_delete(request):
    from designs.services import design_style_delete, design_style_update

    style = design_style_update(project=make_project(), data={"text_color": "#000000"})
    pk = style.pk
    design_style_delete(style=style)
    return Expect("design_style.delete", pk, {"text_color": ["#000000", None]})


def autopilot_rule_update(request):
    from autopilot.services.rule import autopilot_rule_update

    rule = autopilot_rule_update(project=make_project(), data={"pins_per_article": 2})
    rule = autopilot_rule_update(project=rule.project, data={"pins_per_article": 3})
    return Expect("autopilot_rule.update", rule.pk, {"pins_per_article": [2, 3]})


def autopilot_rule_delete(request):
    from autopilot.services.rule import autopilot_rule_delete, autopilot_rule_update

    rule = autopilot_rule_update(project=make_project(), data={"pins_per_article": 2})
    pk = rule.pk
    autopilot_rule_delete(rule=rule)
    return Expect("autopilot_rule.delete", pk, {"pins_per_article": [2, None]})


RECIPES = {
    "publishing.services.content.review.pins_review_request": pins_review_request,
    "publishing.services.content.review.pin_review_reject": pin_review_reject,
    "publishing.services.content.review.pin_review_approved": pin_review_approved,
    "publishing.services.content.review.pin_review_release": pin_review_release,
    "publishing.services.content.review.pin_review_restore": pin_review_restore,
    "publishing.services.content.review.pins_review_hold_imported": pins_review_hold_imported,
    "publishing.services.content.feed_articles.article_upsert_from_feed": article_upsert_from_feed,
    "feeds.services.feeds.feed_create": feed_create,
    "feeds.services.feeds.feed_update": feed_update,
    "feeds.services.feeds.feed_delete": feed_delete,
    "designs.services.design_style_update": design_style_update,
    "designs.services.design_style_delete": design_style_delete,
    "autopilot.services.rule.autopilot_rule_update": autopilot_rule_update,
    "autopilot.services.rule.autopilot_rule_delete": autopilot_rule_delete,
}

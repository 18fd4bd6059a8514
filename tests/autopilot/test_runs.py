"""Autopilot's runs: a feed's new article becomes the rule's pins, once, through publishing's services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from autopilot.models import AutopilotRun, RunState
from autopilot.services.rule import autopilot_rule_update
from autopilot.services.runs import autopilot_run_claim, autopilot_run_execute, autopilot_runs_sweep
from designs.models import DesignedPin
from feeds.services.polling import feed_poll
from publishing.models import BlogArticle, Pin, PinStatus
from tests.autopilot.conftest import blog_project
from tests.factories import make_board, make_connection

pytestmark = pytest.mark.django_db

QUEUE = {"mode": "queue", "pins_per_article": 3, "templates": ["split", "text"], "start_after_minutes": 10,
         "interval_minutes": 60}


def new_post(blog, feed, title=""):
    post = blog.publish(title)
    feed_poll(feed_id=feed.pk)
    return BlogArticle.objects.get(project=feed.project, url=blog.post_url(post))


def test_the_articles_already_on_the_blog_when_autopilot_is_turned_on_get_no_pins(server):
    project, blog, feed, _ = blog_project(server, rule=QUEUE)
    assert BlogArticle.objects.filter(project=project).count() == 1
    assert autopilot_runs_sweep(now=timezone.now() + timedelta(minutes=5)) == []
    assert not AutopilotRun.objects.exists()


def test_a_new_entry_becomes_the_rules_pins_queued_across_boards_an_interval_apart(server):
    project, blog, feed, boards = blog_project(server, rule=QUEUE)
    feed_poll(feed_id=feed.pk)
    article = new_post(blog, feed, "Slow cooker beef stew")
    now = timezone.now()
    report = autopilot_run_execute(run_id=article.autopilot_run.pk, now=now)
    assert (report.outcome, report.pins) == ("done", 3)
    pins = list(Pin.objects.filter(article=article).order_by("scheduled_at"))
    assert [p.status for p in pins] == [PinStatus.READY_TO_SCHEDULE] * 3
    assert [p.scheduled_at - now for p in pins] == [timedelta(minutes=m) for m in (10, 70, 130)]
    assert [p.board_id for p in pins] == [boards[0].pk, boards[1].pk, boards[0].pk]
    assert [DesignedPin.objects.get(pin=p).template for p in pins] == ["split", "text", "split"]
    assert all(p.title == "Slow cooker beef stew" and p.description == "A short summary of the post." for p in pins)
    assert pins[0].alt_text == "Slow cooker beef stew"  # the og:image has no alt: the title
    assert {p.link for p in pins} == {""}  # no UTM parameters: the article's URL, as a person's pin
    # photo designs are JPEG, text designs PNG (designs.render)
    assert [p.image.name.rsplit(".", 1)[1] for p in pins] == ["jpg", "png", "jpg"]
    run = AutopilotRun.objects.get(article=article)
    assert (run.state, run.pins_made, run.attempts) == (RunState.DONE, 3, 1)


def test_drafts_mode_makes_draft_pins_and_schedules_nothing(server):
    project, blog, feed, _ = blog_project(server, rule={**QUEUE, "mode": "drafts"})
    article = new_post(blog, feed)
    autopilot_run_execute(run_id=article.autopilot_run.pk)
    assert list(Pin.objects.filter(article=article).values_list("status", "scheduled_at")) == [
        (PinStatus.DRAFT, None)] * 3


def test_in_a_project_that_needs_approval_the_queue_asks_go_to_review(server):
    project, blog, feed, _ = blog_project(server, rule=QUEUE, requires_approval=True)
    article = new_post(blog, feed)
    autopilot_run_execute(run_id=article.autopilot_run.pk)
    pins = Pin.objects.filter(article=article)
    assert {(p.status, p.review_action, p.review_requested_by_id) for p in pins} == {
        (PinStatus.IN_REVIEW, "schedule", None)}
    assert all(p.scheduled_at for p in pins)


def test_keyword_rules_send_the_article_to_the_boards_its_words_name(server):
    connection = make_connection()
    soups, pies = make_board(connection=connection, name="Soups"), make_board(connection=connection, name="Pies")
    rule = {**QUEUE, "board_choice": "keywords",
            "keyword_rules": [{"keywords": ["stew", "soup"], "board_id": soups.pk},
                              {"keywords": ["pie"], "board_id": pies.pk}]}
    project, blog, feed, _ = blog_project(server, rule=rule, connection=connection, boards=0)
    article = new_post(blog, feed, "A winter stew")
    autopilot_run_execute(run_id=article.autopilot_run.pk)
    assert set(Pin.objects.filter(article=article).values_list("board_id", flat=True)) == {soups.pk}


def test_a_rule_naming_another_tenants_board_is_refused_on_its_field(server):
    project, *_ = blog_project(server)
    stranger = make_board()
    with pytest.raises(ValidationError) as refused:
        autopilot_rule_update(project=project, data={"mode": "queue", "board_choice": "list",
                                                      "board_ids": [stranger.pk]})
    assert list(refused.value.message_dict) == ["board_ids"]


def test_a_repoll_and_an_edited_entry_never_open_a_second_run(server):
    project, blog, feed, _ = blog_project(server, rule=QUEUE)
    article = new_post(blog, feed)
    autopilot_run_execute(run_id=article.autopilot_run.pk)
    blog.edit(len(blog.posts) - 1, title="A better title")
    feed_poll(feed_id=feed.pk)
    feed_poll(feed_id=feed.pk)
    article.refresh_from_db()
    assert article.title == "A better title"
    assert AutopilotRun.objects.filter(article=article).count() == 1
    assert autopilot_runs_sweep() == []
    assert Pin.objects.filter(article=article).count() == 3


def test_a_run_executed_twice_makes_its_pins_once(server):
    project, blog, feed, _ = blog_project(server, rule=QUEUE)
    article = new_post(blog, feed)
    first = autopilot_run_execute(run_id=article.autopilot_run.pk)
    second = autopilot_run_execute(run_id=article.autopilot_run.pk)
    assert (first.outcome, second.outcome) == ("done", "skipped")
    assert Pin.objects.filter(article=article).count() == 3


def test_a_worker_overtaken_after_its_lease_commits_nothing(server):
    project, blog, feed, _ = blog_project(server, rule=QUEUE)
    article = new_post(blog, feed)
    run = article.autopilot_run
    now = timezone.now()
    assert autopilot_run_claim(run_id=run.pk, now=now) == 1
    later = now + timedelta(hours=1)  # the first worker hangs past its lease; the sweep hands it on
    assert autopilot_runs_sweep(now=later) == [run.pk]
    assert autopilot_run_execute(run_id=run.pk, now=later).outcome == "done"
    assert Pin.objects.filter(article=article).count() == 3
    AutopilotRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, attempts=1)  # the first resumes
    assert autopilot_run_execute(run_id=run.pk, now=later).outcome == "skipped"


def test_the_sweep_opens_a_run_for_an_article_that_lost_its_own(server):
    project, blog, feed, _ = blog_project(server, rule=QUEUE)
    article = new_post(blog, feed)
    AutopilotRun.objects.filter(article=article).delete()  # a crash between the article and its run
    later = timezone.now() + timedelta(minutes=5)
    (run_id,) = autopilot_runs_sweep(now=later)
    assert AutopilotRun.objects.get(pk=run_id).article == article
    assert autopilot_run_execute(run_id=run_id, now=later).pins == 3


def test_an_article_without_reachable_images_gets_text_designs(server):
    project, blog, feed, _ = blog_project(server, rule={**QUEUE, "templates": ["photo_band"], "pins_per_article": 1})
    article = new_post(blog, feed)
    BlogArticle.objects.filter(pk=article.pk).update(image_candidates=[{"url": f"{server.base}/missing.jpg"}])
    report = autopilot_run_execute(run_id=article.autopilot_run.pk)
    assert report.pins == 1
    assert DesignedPin.objects.get(pin__article=article).template == "text"
    assert "missing.jpg: answered 404" in AutopilotRun.objects.get(article=article).detail


def test_a_project_off_opens_no_run(server):
    project, blog, feed, _ = blog_project(server, rule={"mode": "off"})
    new_post(blog, feed)
    assert not AutopilotRun.objects.exists()

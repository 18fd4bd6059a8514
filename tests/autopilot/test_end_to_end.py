"""End to end against the Pinterest stand-in: a new entry on a local blog becomes N designed pins,
each published exactly once over time by publishing's own sweep; two workers given one run (on
PostgreSQL) still make its pins once."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from autopilot.models import AutopilotRun
from autopilot.services.runs import autopilot_run_execute
from feeds.services.polling import feed_poll
from publishing.engine import pins_publish_due
from publishing.models import BlogArticle, Pin, PinStatus
from tests.autopilot.conftest import blog_project
from tests.publishing.helpers import in_threads, standin_account

RULE = {"mode": "queue", "pins_per_article": 3, "templates": ["photo_band", "split", "collage"],
        "start_after_minutes": 0, "interval_minutes": 30, "utm_source": "pinterest", "utm_campaign": "autopilot"}


def thirty_minutes_pass(article):
    Pin.objects.filter(article=article, scheduled_at__isnull=False).update(
        scheduled_at=F("scheduled_at") - timedelta(minutes=30))


def created(standin, boards):
    return sum(standin.created_count(board.pinterest_board_id) for board in boards)


@pytest.mark.django_db
def test_a_new_feed_entry_becomes_n_pins_published_exactly_once_over_time(server, standin):
    connection, boards = standin_account(standin, boards=2)
    project, blog, feed, _ = blog_project(server, rule=RULE, connection=connection, boards=0)
    post = blog.publish("Slow cooker beef stew")
    feed_poll(feed_id=feed.pk)
    article = BlogArticle.objects.get(project=project, url=blog.post_url(post))
    start = timezone.now()
    assert autopilot_run_execute(run_id=article.autopilot_run.pk, now=start).pins == 3
    pins = list(Pin.objects.filter(article=article).order_by("scheduled_at"))
    for k in range(3):  # the sweep, then 30 minutes pass (the engine dispatches on the real clock)
        report = pins_publish_due()
        assert report["published"] == 1, report
        assert created(standin, boards) == k + 1
        thirty_minutes_pass(article)
    assert pins_publish_due()["total"] == 0
    pins = [Pin.objects.get(pk=pin.pk) for pin in pins]
    assert [pin.status for pin in pins] == [PinStatus.PUBLISHED] * 3
    assert len({pin.pinterest_pin_id for pin in pins}) == 3
    remote = [p for board in boards for p in standin.pins(board.pinterest_board_id)]
    assert sorted(p["title"] for p in remote) == ["Slow cooker beef stew"] * 3
    assert {p["link"] for p in remote} == {f"{article.url}?utm_source=pinterest&utm_campaign=autopilot"}
    # Polled again (nothing new) and edited: no new run, no new pin, nothing more published.
    blog.edit(len(blog.posts) - 1, title="Slow cooker beef stew, revised")
    feed_poll(feed_id=feed.pk)
    assert AutopilotRun.objects.filter(article__project=project).count() == 1
    thirty_minutes_pass(article)
    assert pins_publish_due()["total"] == 0
    assert created(standin, boards) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_given_one_run_make_its_pins_once(server):
    project, blog, feed, _ = blog_project(server, rule={**RULE, "start_after_minutes": 10})
    post = blog.publish()
    feed_poll(feed_id=feed.pk)
    run = AutopilotRun.objects.get(article__url=blog.post_url(post))
    reports = in_threads([lambda: autopilot_run_execute(run_id=run.pk)] * 2)
    assert sorted(report.outcome for report in reports) == ["done", "skipped"]
    assert Pin.objects.filter(article_id=run.article_id).count() == 3

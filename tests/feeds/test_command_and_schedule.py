"""``manage.py poll_feeds`` and the every-minute schedule that queues the due feeds."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_q.models import OrmQ, Schedule

from feeds.models import Feed
from feeds.schedules import POLL_DUE_SCHEDULE
from feeds.tasks import poll_due_feeds, poll_feed
from publishing.models import BlogArticle
from tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value, message", [
    ("x", "--feed must be a feed's id (a positive whole number), not 'x'."),
    ("0", "--feed must be a feed's id (a positive whole number), not '0'."),
    ("999999", "No feed 999999."),
])
def test_bad_input_is_refused_with_one_readable_line(value, message):
    with pytest.raises(CommandError) as refused:
        call_command("poll_feeds", "--feed", value)
    assert str(refused.value) == message


def test_the_command_polls_the_due_feeds_and_says_how_each_went(server):
    project = make_project()
    good = Feed.objects.create(project=project, url=server.add_blog("good", posts=2).url)
    bad = Feed.objects.create(project=project, url=server.url("/missing.xml"))
    out = StringIO()
    call_command("poll_feeds", stdout=out)
    assert f"Feed {good.pk}: 2 entries, 2 created." in out.getvalue()
    assert f"Feed {bad.pk}: failed: The feed answered 404 Not Found." in out.getvalue()
    assert "2 feed(s) polled, 1 failed." in out.getvalue()
    call_command("poll_feeds", "--feed", str(good.pk), stdout=out)  # due or not
    assert f"Feed {good.pk}: not modified." in out.getvalue()


def test_the_schedule_queues_one_task_per_due_feed_and_the_task_polls_it(server):
    project = make_project()
    feeds = [Feed.objects.create(project=project, url=server.add_blog(f"b{i}", posts=1).url) for i in range(2)]
    Feed.objects.create(project=project, url=server.url("/paused"), is_active=False)
    assert poll_due_feeds() == 2
    assert sorted(task.args() for task in OrmQ.objects.all()) == [(feed.pk,) for feed in feeds]
    assert poll_due_feeds() == 0  # leased
    assert poll_feed(feeds[0].pk) == f"Feed {feeds[0].pk}: 1 entries, 1 created."
    assert BlogArticle.objects.count() == 1


def test_the_schedule_runs_every_minute_and_is_set_up_once():
    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())
    (schedule,) = Schedule.objects.filter(name=POLL_DUE_SCHEDULE)
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "feeds.tasks.poll_due_feeds", Schedule.MINUTES, 1)

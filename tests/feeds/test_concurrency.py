"""Two workers at once (PostgreSQL: row locks, SKIP LOCKED): a due feed is claimed by one of them,
and two feeds of one blog polled at the same moment still make one article per post."""

import pytest

from feeds.models import Feed
from feeds.services.polling import feed_poll, feeds_claim_due
from publishing.models import BlogArticle
from tests.factories import make_project
from tests.publishing.helpers import in_threads


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_claiming_at_once_never_take_the_same_feed(server):
    project = make_project()
    feeds = [Feed.objects.create(project=project, url=f"{server.base}/f{n}") for n in range(40)]
    claims = in_threads([lambda: feeds_claim_due(limit=25)] * 2)
    taken = claims[0] + claims[1]
    assert sorted(taken) == sorted(feed.pk for feed in feeds) and len(set(taken)) == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_feeds_of_one_blog_polled_at_the_same_moment_make_one_article_per_post(server):
    project = make_project()
    rss = server.add_blog("cooking", kind="rss", posts=6)
    json_feed = server.add_blog("cooking", kind="json", posts=6)
    ids = [Feed.objects.create(project=project, url=url).pk for url in (rss.url, json_feed.url)]
    reports = in_threads([lambda pk=pk: feed_poll(feed_id=pk) for pk in ids])
    assert all(report.outcome == "ok" for report in reports)
    assert BlogArticle.objects.filter(project=project).count() == 6
    assert sum(r.counts.get("created", 0) for r in reports) == 6

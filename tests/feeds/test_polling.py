"""Polling (feeds.services.polling): articles from every kind of feed, 304s that cost nothing,
edits that update, dedupe across feeds, failures that say why and back off."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feeds.devserver import Route
from feeds.models import Feed, FeedHealth
from feeds.services.polling import backoff, feed_poll, feeds_claim_due
from publishing.models import ArticleSource, BlogArticle
from tests.factories import make_article, make_project


def add_feed(project, url, **fields):
    return Feed.objects.create(project=project, url=url, **fields)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["rss", "atom", "json", "sitemap"])
def test_each_kind_of_feed_becomes_articles_with_the_page_metadata(server, kind):
    project = make_project()
    blog = server.add_blog("cooking", kind=kind, posts=3)
    feed = add_feed(project, blog.url)
    report = feed_poll(feed_id=feed.pk)
    assert report.outcome == "ok" and report.counts == {"created": 3}
    articles = BlogArticle.objects.filter(project=project).order_by("url")
    assert [a.url for a in articles] == [blog.post_url(post) for post in blog.posts]
    first = articles[0]
    assert first.title == "Cooking post 0" and first.source == ArticleSource.FEED
    assert first.description == "A short summary of the post."
    assert first.canonical_url == blog.post_url(blog.posts[0])
    assert first.image_candidates[0] == {"url": f"{blog.base}/images/post-0.jpg", "source": "og", "width": 1000,
                                         "height": 1500}
    assert first.metadata["json_ld"]["@type"] == "BlogPosting" and first.metadata["og"]["title"] == "Cooking post 0"
    feed.refresh_from_db()
    assert feed.detected_kind == kind and feed.health == FeedHealth.OK and feed.articles_created == 3
    assert feed.next_poll_at == feed.last_ok_at + timedelta(minutes=30)


@pytest.mark.django_db
def test_an_unchanged_feed_answers_304_and_nothing_else_is_fetched(server):
    blog = server.add_blog("cooking", posts=2)
    feed = add_feed(make_project(), blog.url)
    feed_poll(feed_id=feed.pk)
    before = len(server.requests)
    report = feed_poll(feed_id=feed.pk)
    assert report.outcome == "not_modified" and server.not_modified == 1
    assert len(server.requests) == before + 1  # the feed only, no page


@pytest.mark.django_db
def test_an_edited_entry_updates_its_article_and_a_new_one_is_added(server):
    project = make_project()
    blog = server.add_blog("cooking", posts=2)
    feed = add_feed(project, blog.url)
    feed_poll(feed_id=feed.pk)
    blog.edit(0, title="Soup, edited")
    blog.publish(title="Brand new")
    report = feed_poll(feed_id=feed.pk)
    assert report.counts == {"created": 1, "updated": 1}
    assert sorted(BlogArticle.objects.filter(project=project).values_list("title", flat=True)) == [
        "Brand new", "Cooking post 1", "Soup, edited"]
    pages = [path for path, _ in server.requests if path.endswith("/")]
    assert pages.count(f"/cooking/{blog.posts[1].slug}/") == 1  # the unchanged entry's page: fetched once


@pytest.mark.django_db
def test_an_entry_whose_link_changes_keeps_its_article_by_guid(server):
    project = make_project()
    blog = server.add_blog("cooking", posts=1)
    feed = add_feed(project, blog.url)
    feed_poll(feed_id=feed.pk)
    old = blog.post_url(blog.posts[0])
    server.routes["/cooking/renamed/"] = server.routes.pop("/cooking/post-0/")
    blog.post_url = lambda post: f"{blog.base}/renamed/"  # the blog changed its permalinks
    blog.render()
    feed_poll(feed_id=feed.pk)
    article = BlogArticle.objects.get(project=project)
    assert article.url == f"{blog.base}/renamed/" != old


@pytest.mark.django_db
def test_two_feeds_of_one_blog_make_one_article_per_post(server):
    project = make_project()
    rss = server.add_blog("cooking", kind="rss", posts=3)
    sitemap = server.add_blog("cooking", kind="sitemap", posts=3)  # same posts, same pages
    for url in (rss.url, sitemap.url):
        feed_poll(feed_id=add_feed(project, url).pk)
    assert BlogArticle.objects.filter(project=project).count() == 3


@pytest.mark.django_db
def test_tracking_parameters_and_a_hand_made_article_are_not_duplicated(server):
    project = make_project()
    blog = server.add_blog("cooking", posts=1)
    manual = make_article(project=project, url=blog.post_url(blog.posts[0]), title="Mine")
    body = server.routes["/cooking/feed.rss"].body.replace(b"/post-0/</link>", b"/post-0/?utm_source=rss</link>")
    server.routes["/cooking/feed.rss"] = Route(body, "application/rss+xml")
    feed_poll(feed_id=add_feed(project, blog.url).pk)
    assert BlogArticle.objects.filter(project=project).count() == 1
    manual.refresh_from_db()
    assert manual.guid == "cooking-post-0" and manual.title == "Cooking post 0"


@pytest.mark.django_db
def test_articles_of_the_same_post_in_two_projects_are_two_articles(server):
    blog = server.add_blog("cooking", posts=1)
    for project in (make_project(), make_project()):
        feed_poll(feed_id=add_feed(project, blog.url).pk)
    assert BlogArticle.objects.count() == 2


@pytest.mark.django_db
def test_a_page_that_cannot_be_fetched_still_gives_an_article_from_the_feed(server):
    project = make_project()
    blog = server.add_blog("cooking", posts=1)
    del server.routes["/cooking/post-0/"]
    feed_poll(feed_id=add_feed(project, blog.url).pk)
    article = BlogArticle.objects.get(project=project)
    assert article.title == "Cooking post 0" and article.description == "A short summary of the post."
    assert article.metadata == {"page_error": "The page answered 404 Not Found."}
    assert article.image_candidates == []


@pytest.mark.django_db
def test_a_page_claiming_another_sites_canonical_address_does_not_take_it(server):
    project = make_project()
    blog = server.add_blog("cooking", posts=1)
    page = server.routes["/cooking/post-0/"]
    page.body = page.body.replace(b'rel="canonical" href="', b'rel="canonical" href="https://victim.example.com/x"'
                                  b' data-was="')
    feed_poll(feed_id=add_feed(project, blog.url).pk)
    assert BlogArticle.objects.get(project=project).canonical_url == blog.post_url(blog.posts[0])


@pytest.mark.django_db
@pytest.mark.parametrize("route, reason", [
    (None, "The feed answered 404 Not Found."),
    (Route(b"<!doctype html><html><body>Home</body></html>", "text/html"), "HTML page, not a feed"),
    (Route(b"<<<<not xml", "application/xml"), "Not a feed"),
    (Route(b"", "application/xml", status=500), "The feed answered 500 Internal Server Error."),
])
def test_a_failing_feed_says_why_and_backs_off(server, route, reason):
    if route:
        server.routes["/feed"] = route
    feed = add_feed(make_project(), server.url("/feed"))
    now = timezone.now()
    report = feed_poll(feed_id=feed.pk, now=now)
    feed.refresh_from_db()
    assert report.outcome == "failed" and reason in feed.last_error
    assert feed.health == FeedHealth.FAILING and feed.consecutive_failures == 1
    assert feed.next_poll_at == now + timedelta(minutes=60)


@pytest.mark.django_db
def test_the_backoff_doubles_with_each_failure_up_to_the_cap_and_resets_on_success(settings, server):
    settings.FEEDS_BACKOFF_MAX_MINUTES = 240
    assert [backoff(n) for n in (0, 1, 2, 3, 4, 30)] == [timedelta(minutes=m) for m in (30, 60, 120, 240, 240, 240)]
    feed = add_feed(make_project(), server.url("/feed"), consecutive_failures=5, last_error="old")
    blog = server.add_blog("feed", posts=1)
    feed.url = blog.url
    feed.save()
    feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert (feed.consecutive_failures, feed.last_error, feed.health) == (0, "", FeedHealth.OK)


@pytest.mark.django_db
def test_a_feed_of_the_wrong_kind_is_a_failure_naming_both(server):
    blog = server.add_blog("cooking", kind="atom", posts=1)
    feed = add_feed(make_project(), blog.url, kind="rss")
    assert "Expected RSS, found Atom." == feed_poll(feed_id=feed.pk).error


@pytest.mark.django_db
def test_a_billion_laughs_feed_is_refused_and_recorded(server):
    from pathlib import Path

    body = (Path(__file__).parent / "fixtures" / "billion_laughs.xml").read_bytes()
    server.routes["/feed"] = Route(body, "application/rss+xml")
    feed = add_feed(make_project(), server.url("/feed"))
    assert "declares XML entities" in feed_poll(feed_id=feed.pk).error
    assert BlogArticle.objects.count() == 0


@pytest.mark.django_db
def test_entries_past_the_pages_per_poll_wait_for_a_poll_a_minute_later(settings, server):
    settings.FEEDS_PAGES_PER_POLL = 2
    project = make_project()
    blog = server.add_blog("cooking", posts=5)
    feed = add_feed(project, blog.url)
    now = timezone.now()
    first = feed_poll(feed_id=feed.pk, now=now)
    feed.refresh_from_db()
    assert first.deferred and first.counts == {"created": 2} and feed.etag == ""
    assert feed.next_poll_at == now + timedelta(minutes=1)
    feed_poll(feed_id=feed.pk)
    feed_poll(feed_id=feed.pk)
    assert BlogArticle.objects.filter(project=project).count() == 5


@pytest.mark.django_db
def test_one_slow_feed_does_not_stall_the_others_beyond_its_deadline(settings, server):
    settings.FEEDS_FETCH_DEADLINE_SECONDS = 0.5
    server.routes["/slow"] = Route(b"", delay=3)
    project = make_project()
    slow = add_feed(project, server.url("/slow"))
    fine = add_feed(project, server.add_blog("fine", posts=1).url)
    reports = [feed_poll(feed_id=pk) for pk in feeds_claim_due()]
    assert [r.feed_id for r in reports] == [slow.pk, fine.pk]
    assert "0.5 s deadline" in reports[0].error and reports[1].counts == {"created": 1}


@pytest.mark.django_db
def test_a_claimed_feed_is_not_claimed_again_until_its_lease_ends(server):
    feed = add_feed(make_project(), server.url("/feed"))
    now = timezone.now()
    assert feeds_claim_due(now=now) == [feed.pk]
    assert feeds_claim_due(now=now + timedelta(seconds=10)) == []
    assert feeds_claim_due(now=now + timedelta(hours=1)) == [feed.pk]


@pytest.mark.django_db
def test_paused_feeds_are_never_claimed_and_a_deleted_feed_polls_as_gone(server):
    feed = add_feed(make_project(), server.url("/feed"), is_active=False)
    assert feeds_claim_due() == []
    assert feed.health == FeedHealth.PAUSED
    assert feed_poll(feed_id=feed.pk + 1000).outcome == "gone"

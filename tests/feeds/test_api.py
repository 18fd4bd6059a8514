"""/api/projects/{id}/feeds/, /api/feeds/{id}/ and /api/projects/{id}/feed-health/: tenant-scoped,
writes need pins:write, bad input is a 400 naming the field."""

import pytest

from feeds.models import Feed
from tests.factories import api_client, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db

FEED_URL = "https://blog.example.com/feed/"


def feeds_url(project):
    return f"/api/projects/{project.pk}/feeds/"


def test_adding_a_feed_shows_it_pending_and_due_now(tenant_api, tenant):
    project = make_project(tenant=tenant)
    response = tenant_api.post(feeds_url(project), {"url": FEED_URL}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["url"], body["kind"], body["health"], body["project"]) == (FEED_URL, "auto", "pending", project.pk)
    listed = tenant_api.get(feeds_url(project)).json()
    assert [feed["id"] for feed in listed["results"]] == [body["id"]]


@pytest.mark.parametrize("data, field, message", [
    ({"url": "ftp://blog.example.com/feed"}, "url", "http:// or https://"),
    ({"url": "http://10.1.2.3/feed"}, "url", "a private address"),
    ({"url": "http://169.254.169.254/latest/meta-data/"}, "url", "a cloud metadata address"),
    ({"url": FEED_URL, "kind": "podcast"}, "kind", "not a valid choice"),
    ({}, "url", "required"),
    ({"url": FEED_URL, "health": "ok"}, "health", ""),
])
def test_bad_input_is_a_400_naming_the_field(settings, tenant_api, tenant, data, field, message):
    settings.FEEDS_ALLOW_LOCAL_ADDRESSES = False
    response = tenant_api.post(feeds_url(make_project(tenant=tenant)), data, format="json")
    assert response.status_code == 400
    assert message in str(response.json()) and field in str(response.json())


def test_the_same_feed_twice_in_a_project_is_refused(tenant_api, tenant):
    project = make_project(tenant=tenant)
    tenant_api.post(feeds_url(project), {"url": FEED_URL}, format="json")
    again = tenant_api.post(feeds_url(project), {"url": FEED_URL}, format="json")
    assert again.status_code == 400 and "already has this feed" in str(again.json())


def test_a_project_holds_at_most_the_configured_number_of_feeds(settings, tenant_api, tenant):
    settings.FEEDS_MAX_PER_PROJECT = 1
    project = make_project(tenant=tenant)
    tenant_api.post(feeds_url(project), {"url": FEED_URL}, format="json")
    second = tenant_api.post(feeds_url(project), {"url": FEED_URL + "atom/"}, format="json")
    assert second.status_code == 400 and "at most 1 feeds" in str(second.json())


def test_changing_the_address_forgets_failures_and_the_conditional_state(tenant_api, tenant):
    feed = Feed.objects.create(project=make_project(tenant=tenant), url=FEED_URL, etag='"x"',
                               consecutive_failures=3, last_error="The feed answered 404 Not Found.")
    response = tenant_api.patch(f"/api/feeds/{feed.pk}/", {"url": FEED_URL + "rss/"}, format="json")
    assert response.status_code == 200
    feed.refresh_from_db()
    assert (feed.url, feed.etag, feed.consecutive_failures, feed.last_error) == (FEED_URL + "rss/", "", 0, "")


def test_pausing_and_deleting_a_feed(tenant_api, tenant):
    feed = Feed.objects.create(project=make_project(tenant=tenant), url=FEED_URL)
    assert tenant_api.patch(f"/api/feeds/{feed.pk}/", {"is_active": False}, format="json").json()["health"] == "paused"
    assert tenant_api.delete(f"/api/feeds/{feed.pk}/").status_code == 204
    assert not Feed.objects.exists()


def test_another_tenants_project_and_feeds_are_404_whatever_the_method(tenant_api):
    theirs = make_project(tenant=make_tenant())
    feed = Feed.objects.create(project=theirs, url=FEED_URL)
    for method, path in [("get", feeds_url(theirs)), ("post", feeds_url(theirs)),
                         ("get", f"/api/projects/{theirs.pk}/feed-health/"), ("get", f"/api/feeds/{feed.pk}/"),
                         ("patch", f"/api/feeds/{feed.pk}/"), ("delete", f"/api/feeds/{feed.pk}/")]:
        response = getattr(tenant_api, method)(path, {"url": FEED_URL} if method in ("post", "patch") else None,
                                            format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    assert Feed.objects.filter(pk=feed.pk, url=FEED_URL).exists()


def test_a_read_only_key_lists_feeds_but_cannot_add_one(tenant):
    project = make_project(tenant=tenant)
    reader = api_client(make_user(tenant), scopes=["read"])
    assert reader.get(feeds_url(project)).status_code == 200
    assert reader.post(feeds_url(project), {"url": FEED_URL}, format="json").status_code == 403


def test_the_project_feed_health_names_the_failing_feed_and_why(tenant_api, tenant):
    project = make_project(tenant=tenant)
    assert tenant_api.get(f"/api/projects/{project.pk}/feed-health/").json()["status"] == "none"
    Feed.objects.create(project=project, url=FEED_URL)
    Feed.objects.create(project=project, url=FEED_URL + "x/", consecutive_failures=2,
                        last_error="The address answers with an HTML page, not a feed.")
    body = tenant_api.get(f"/api/projects/{project.pk}/feed-health/").json()
    assert (body["status"], body["feeds"], body["failing"]) == ("failing", 2, 1)
    assert body["line"] == (f"1 of 2 feed(s) failing: {FEED_URL}x/: The address answers with an HTML page, "
                            "not a feed.")


def test_the_feeds_endpoints_are_in_the_openapi_schema(tenant_api):
    paths = tenant_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"/api/projects/{project_id}/feeds/", "/api/feeds/{feed_id}/",
            "/api/projects/{project_id}/feed-health/"} <= set(paths)


def test_an_article_from_a_feed_shows_its_guid_canonical_address_metadata_and_images(tenant_api, tenant, server):
    from feeds.services.polling import feed_poll

    project = make_project(tenant=tenant)
    blog = server.add_blog("cooking", posts=1)
    feed_poll(feed_id=Feed.objects.create(project=project, url=blog.url).pk)
    (article,) = tenant_api.get(f"/api/articles/?project={project.pk}").json()["results"]
    assert (article["source"], article["guid"], article["canonical_url"]) == (
        "feed", "cooking-post-0", blog.post_url(blog.posts[0]))
    assert article["image_candidates"][0]["source"] == "og" and article["metadata"]["json_ld"]["@type"] == "BlogPosting"
    sent = tenant_api.patch(f"/api/articles/{article['id']}/", {"guid": "mine"}, format="json")
    assert sent.status_code == 400 and "guid" in sent.json()["error"]["fields"]


def test_the_admin_lists_only_the_staff_members_tenants_feeds_read_only(client, tenant):
    mine = Feed.objects.create(project=make_project(tenant=tenant), url=FEED_URL, consecutive_failures=1,
                               last_error="The feed answered 404 Not Found.")
    Feed.objects.create(project=make_project(tenant=make_tenant()), url="https://theirs.example.com/feed/")
    client.force_login(make_user(tenant=tenant, is_staff=True))
    page = client.get("/admin/feeds/feed/").content.decode()
    assert FEED_URL in page and "Failing: The feed answered 404 Not Found." in page
    assert "theirs.example.com" not in page and "/admin/feeds/feed/add/" not in page
    assert client.get(f"/admin/feeds/feed/{mine.pk}/change/").status_code == 200  # a view, no form to save

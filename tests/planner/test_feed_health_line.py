"""The project's feed health on the planner's project page (/planner/analytics/?project=):
one line, "No feeds.", all OK, or which feed fails and why, within the member's tenant."""

import pytest
from django.utils import timezone

from feeds.models import Feed
from tests.factories import make_project, make_user

pytestmark = pytest.mark.django_db


def feeds_line(client, tenant, project):
    client.force_login(make_user(tenant=tenant))
    html = client.get(f"/planner/analytics/?project={project.pk}").content.decode()
    start = html.index('id="an-feeds"')
    return html[start:html.index("</p>", start)].replace("<strong>", "").replace("</strong>", "")


def test_a_project_without_feeds_says_so(client, tenant):
    assert "Feeds: No feeds." in feeds_line(client, tenant, make_project(tenant=tenant))


def test_healthy_feeds_say_when_they_were_last_read(client, tenant):
    project = make_project(tenant=tenant)
    Feed.objects.create(project=project, url="https://blog.example.com/feed/", last_ok_at=timezone.now())
    line = feeds_line(client, tenant, project)
    assert "Feeds: 1 feed(s) OK." in line and "Last read 0\xa0minutes ago." in line


def test_a_failing_feed_is_named_with_its_reason_as_an_error(client, tenant):
    project = make_project(tenant=tenant)
    Feed.objects.create(project=project, url="https://blog.example.com/feed/", consecutive_failures=3,
                        last_error="The feed answered 404 Not Found.")
    line = feeds_line(client, tenant, project)
    assert "pl-error" in line
    assert "1 of 1 feed(s) failing: https://blog.example.com/feed/: The feed answered 404 Not Found." in line

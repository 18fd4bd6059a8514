import pytest

from autopilot.services.rule import autopilot_rule_update
from feeds.devserver import FeedServer
from feeds.models import Feed
from feeds.services.polling import feed_poll
from tests.factories import make_board, make_connection, make_project


@pytest.fixture(autouse=True)
def _local_addresses(settings):
    """The local blog listens on 127.0.0.1: local addresses are allowed for its feed and images."""
    settings.FEEDS_ALLOW_LOCAL_ADDRESSES = True
    settings.FEEDS_FETCH_DEADLINE_SECONDS = 5.0


@pytest.fixture
def server():
    feed_server = FeedServer().start()
    yield feed_server
    feed_server.stop()


def blog_project(server, *, rule=None, boards=2, connection=None, **project_fields):
    """A project with ``boards`` boards, a feed on a new blog of ``server`` (polled once, so its
    posts so far are old news) and autopilot set by ``rule``."""
    connection = connection or make_connection()
    board_objs = [make_board(connection=connection, name=f"Board {i}") for i in range(boards)]
    project = make_project(connection=connection, **project_fields)
    blog = server.add_blog(f"blog{project.pk}", kind="rss", posts=1)
    feed = Feed.objects.create(project=project, url=blog.url)
    feed_poll(feed_id=feed.pk)
    if rule is not None:
        autopilot_rule_update(project=project, data=rule)
    return project, blog, feed, board_objs

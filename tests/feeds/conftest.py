import pytest

from feeds.devserver import FeedServer


@pytest.fixture(autouse=True)
def _local_addresses(settings):
    """The local feed server listens on 127.0.0.1: local addresses are allowed unless a test says not."""
    settings.FEEDS_ALLOW_LOCAL_ADDRESSES = True
    settings.FEEDS_FETCH_DEADLINE_SECONDS = 5.0


@pytest.fixture
def server():
    """A real threaded HTTP server on a free loopback port serving blogs (feeds.devserver)."""
    feed_server = FeedServer().start()
    yield feed_server
    feed_server.stop()

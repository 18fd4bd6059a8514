"""django-q2 entry points of the feeds app: thin, they take ids and call services."""

from feeds.queue import enqueue_feed_polls
from feeds.services.polling import feed_poll, feeds_claim_due


def poll_due_feeds() -> int:
    """Every minute: lease the due feeds and queue one poll each; returns how many."""
    ids = feeds_claim_due()
    enqueue_feed_polls(feed_ids=ids)
    return len(ids)


def poll_feed(feed_id: int) -> str:
    return feed_poll(feed_id=feed_id).summary()

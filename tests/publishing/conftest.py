import pytest


@pytest.fixture(autouse=True)
def _fast_publishing(settings):
    """No pacing and tiny backoffs unless a test asks for them."""
    settings.PINTEREST_PUBLISH_INTERVAL_SECONDS = 0
    settings.PUBLISH_RATE_LIMIT_BACKOFF_SECONDS = 0.01
    settings.PUBLISH_RECONCILE_GRACE_SECONDS = 0

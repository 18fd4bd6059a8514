"""Fixtures for the Pinterest client tests: settings for a fake Pinterest app and a
``responses`` mock that answers the client's requests (the ``standin`` fixture for the
end-to-end tests comes from ``pinterest.standin.testing`` via tests/conftest.py)."""

import pytest
import responses

API_BASE = "https://api.pinterest.com/v5"
APP_ID = "1234567"
APP_SECRET = "app-secret-for-tests"
REDIRECT_URI = "https://pinpublisher.example/pinterest/callback/"


@pytest.fixture(autouse=True)
def _quick_token_retries(settings):
    """A transient token-endpoint failure is retried after milliseconds, not seconds."""
    settings.TOKEN_REFRESH_BACKOFF_SECONDS = 0.001


@pytest.fixture
def pinterest_app(settings):
    """The client's settings: Pinterest's real base URL (requests never leave the mock)."""
    settings.PINTEREST_API_BASE = API_BASE
    settings.PINTEREST_OAUTH_AUTHORIZE_URL = "https://www.pinterest.com/oauth/"
    settings.PINTEREST_APP_ID = APP_ID
    settings.PINTEREST_APP_SECRET = APP_SECRET
    settings.PINTEREST_REDIRECT_URI = REDIRECT_URI
    settings.PINTEREST_CONNECT_TIMEOUT_SECONDS = 4
    settings.PINTEREST_READ_TIMEOUT_SECONDS = 9
    return settings


@pytest.fixture
def pinterest_api(pinterest_app):
    """A ``responses`` mock: every request must match a registered answer, and every
    registered answer must be asked for."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock

"""The one factory of Pinterest clients: the configuration it builds from the settings."""

import subprocess
import sys

import pinpublisher
from pinterest.services.clients import client_config, token_client


def test_the_factory_builds_the_client_from_the_settings_as_they_are_when_it_is_built(settings):
    settings.PINTEREST_API_BASE = "https://api-sandbox.pinterest.com/v5/"
    settings.PINTEREST_OAUTH_AUTHORIZE_URL = "https://www.pinterest.com/oauth/?x=1"
    settings.PINTEREST_CONNECT_TIMEOUT_SECONDS, settings.PINTEREST_READ_TIMEOUT_SECONDS = 3, 11
    settings.PINTEREST_MAX_ANSWER_BYTES = 2048
    settings.PINTEREST_APP_ID, settings.PINTEREST_APP_SECRET = "app-1", "app-secret"
    settings.PINTEREST_REDIRECT_URI = "https://pinpublisher.example/callback/"

    api = token_client("pina_token")

    assert api.base_url == "https://api-sandbox.pinterest.com/v5"
    config = api.config
    assert (config.oauth_authorize_url, config.connect_timeout, config.read_timeout) == (
        "https://www.pinterest.com/oauth/?x=1", 3, 11
    )
    assert (config.max_answer_bytes, config.app_id, config.app_secret) == (2048, "app-1", "app-secret")
    assert config.redirect_uri == "https://pinpublisher.example/callback/"
    assert config.user_agent == f"pinpublisher/{pinpublisher.__version__}"
    assert config.upload_read_timeout is None
    assert "app-secret" not in repr(config)

    settings.PINTEREST_API_BASE = "https://api.pinterest.com/v5"
    assert token_client().base_url == "https://api.pinterest.com/v5"
    assert client_config().api_base == "https://api.pinterest.com/v5"


def test_the_client_and_the_bodies_it_sends_load_nothing_of_django_settings_or_the_project():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; import pinterest.client, pinterest.payload, pinterest.jsonbody, pinterest.multipart; "
            "print(' '.join(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    project = {name for name in loaded if name.split(".")[0] in ("pinpublisher", "pinterest", "publishing")}
    # pinterest.errors is the one tie: PinterestConfigurationError is Django's ImproperlyConfigured
    # and the account errors share pinpublisher.errors' root. pinterest.limits is Pinterest's numbers.
    assert project <= {
        "pinpublisher", "pinpublisher.errors", "pinterest", "pinterest.client", "pinterest.errors",
        "pinterest.jsonbody", "pinterest.limits", "pinterest.multipart", "pinterest.payload", "pinterest.scopes",
        # The client's own modules (the package split by job).
        "pinterest.client.analytics", "pinterest.client.boards", "pinterest.client.media", "pinterest.client.pages",
        "pinterest.client.pins",
        "pinterest.client.tokens", "pinterest.client.transport",
    }
    assert "django.conf" not in loaded and "django.db" not in loaded

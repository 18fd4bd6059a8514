"""The one way to a Pinterest client (``pinterest.client.PinterestClient``): its
configuration built from the pinterest app's settings, read each time a client is built
(so ``override_settings`` reaches every client built under it)."""

import pinpublisher
from pinterest.client import ClientConfig, PinterestClient
from pinterest.conf import pinterest_settings

USER_AGENT = f"pinpublisher/{getattr(pinpublisher, '__version__', '1.0.0')}"


def client_config() -> ClientConfig:
    """The client's configuration from the settings as they are now."""
    return ClientConfig(
        api_base=pinterest_settings.PINTEREST_API_BASE,
        oauth_authorize_url=pinterest_settings.PINTEREST_OAUTH_AUTHORIZE_URL,
        connect_timeout=pinterest_settings.PINTEREST_CONNECT_TIMEOUT_SECONDS,
        read_timeout=pinterest_settings.PINTEREST_READ_TIMEOUT_SECONDS,
        user_agent=USER_AGENT,
        max_answer_bytes=int(pinterest_settings.PINTEREST_MAX_ANSWER_BYTES),
        app_id=pinterest_settings.PINTEREST_APP_ID,
        app_secret=pinterest_settings.PINTEREST_APP_SECRET,
        redirect_uri=pinterest_settings.PINTEREST_REDIRECT_URI,
    )


def token_client(access_token: str = "") -> PinterestClient:
    """A client with ``access_token`` (none: the app itself, for OAuth's token endpoint)."""
    return PinterestClient(client_config(), access_token)

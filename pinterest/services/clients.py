"""The one way to a Pinterest client (``pinterest.client.PinterestClient``): its
configuration built from the pinterest app's settings, read each time a client is built
(so ``override_settings`` reaches every client built under it)."""

import logging

import pinpublisher
from pinterest.client import ClientConfig, PinterestClient
from pinterest.conf import pinterest_settings
from pinterest.signals import api_answered

logger = logging.getLogger(__name__)

USER_AGENT = f"pinpublisher/{getattr(pinpublisher, '__version__', '1.0.0')}"

#: The words of Pinterest's paths the client calls; any other segment is an id (``{id}``), so an
#: endpoint names a resource, never a pin, board or media.
PATH_WORDS = frozenset({"user_account", "boards", "pins", "sections", "media", "oauth", "token"})


def endpoint_of(path: str) -> str:
    """``/boards/123/sections`` -> ``/boards/{id}/sections`` (query strings are not in ``path``);
    a name that is not a path (``media_upload``, the upload host's POST) is kept as it is."""
    if not path.startswith("/"):
        return path
    segments = path.split("?", 1)[0].strip("/").split("/")
    return "/" + "/".join(s if s in PATH_WORDS else "{id}" for s in segments if s)


def _tell_answer(method: str, path: str, status: int | None, seconds: float) -> None:
    """The client's observer: ``pinterest.signals.api_answered``; a receiver's failure is logged, never raised."""
    for receiver, result in api_answered.send_robust(
        sender=PinterestClient, method=method, endpoint=endpoint_of(path), status=status, seconds=seconds
    ):
        if isinstance(result, Exception):
            logger.warning("api_answered receiver %r failed: %r", receiver, result)


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
        observer=_tell_answer,
    )


def token_client(access_token: str = "") -> PinterestClient:
    """A client with ``access_token`` (none: the app itself, for OAuth's token endpoint)."""
    return PinterestClient(client_config(), access_token)

"""The one way to a Pinterest client (``pinterest.client.PinterestClient``)."""

from pinterest.client import PinterestClient


def token_client(access_token: str = "") -> PinterestClient:
    """A client with ``access_token`` (none: the app itself, for OAuth's token endpoint)."""
    return PinterestClient(access_token)

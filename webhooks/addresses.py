"""Where a webhook may be delivered: ``pinpublisher.addresses``'s rule (public https addresses
only), bound to ``WEBHOOKS_ALLOW_LOCAL_ADDRESSES`` (development and tests allow local ones).

A URL is checked when an endpoint is registered (``url_problem``), and every connection again
when it is made, on the address the host resolved to (``address_problem``, called by
``webhooks.sender``), so DNS rebinding is refused then.
"""

from pinpublisher import addresses
from pinpublisher.addresses import IPAddress, public_address_problem
from webhooks.conf import webhooks_settings

__all__ = ["address_problem", "local_allowed", "public_address_problem", "url_problem"]

PURPOSE = "webhooks go to public addresses only"


def local_allowed() -> bool:
    return bool(webhooks_settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES)


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` may not be delivered to, or None when it may."""
    return addresses.address_problem(address, allow_local=local_allowed())


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint, or None. No DNS lookup here."""
    return addresses.url_problem(url, allow_local=local_allowed(), purpose=PURPOSE)

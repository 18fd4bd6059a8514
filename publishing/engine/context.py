"""What publishing to one Pinterest account needs, read once per connection."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pinterest.client import PinterestClient
from pinterest.models import PinterestConnection
from pinterest.services.tokens import connection_client


@dataclass
class Context:
    connection: PinterestConnection
    client: PinterestClient
    sleep: Callable[[float], None] = field(default=time.sleep)


def context_for(connection: PinterestConnection) -> Context:
    """Read the connection's token once (refreshing it just in time); raises ConnectionUnusable."""
    return Context(connection=connection, client=connection_client(connection=connection))

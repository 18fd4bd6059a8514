"""What an API key may do: the scopes, and which one each request needs.

A key carries a list of scopes; every request it makes needs exactly one of them. Reads
(GET, HEAD, OPTIONS) need ``read``; each view names the one scope its writes need
(``TenantApi.write_scope``). A person signed in (a session) is not limited by scopes: their
role in the tenant decides. A key never does more than its owner's current role allows
(``publishing.roles``, asked after the scope): its effective scopes are its own that the role
allows, so demoting a member narrows their keys at once.
"""

from django.db import models


class Scope(models.TextChoices):
    READ = "read", "Read everything (every GET)"
    PINS_WRITE = "pins:write", "Create, edit, delete and schedule projects, articles and pins"
    PUBLISH = "publish", "Publish pins now, one or in bulk"
    CONNECTIONS_WRITE = "connections:write", "Refresh, sync the boards of, and disconnect Pinterest accounts"
    KEYS_WRITE = "keys:write", "Create and revoke the tenant's API keys"
    WEBHOOKS_WRITE = "webhooks:write", "Create, change and delete webhooks"
    MEMBERS_WRITE = "members:write", "Manage the team: change roles, remove, invite and unlock members (owners only)"


#: Every scope, in the catalogue's order: what a key made for a tenant's owner gets.
ALL_SCOPES: tuple[str, ...] = tuple(Scope.values)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def scopes_normalize(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """``scopes`` without duplicates, in the catalogue's order. Unknown names are dropped: check
    them first with ``scopes_unknown``."""
    wanted = set(scopes)
    return [scope for scope in ALL_SCOPES if scope in wanted]


def scopes_unknown(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """The names in ``scopes`` that are no scope, in the order given."""
    return [scope for scope in scopes if scope not in ALL_SCOPES]


def scopes_parse(text: str) -> list[str]:
    """``"read, pins:write"`` or ``"all"`` -> the scopes' names (not yet checked)."""
    names = [name.strip() for name in text.replace(" ", ",").split(",") if name.strip()]
    return list(ALL_SCOPES) if names == ["all"] else names

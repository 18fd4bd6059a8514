"""OAuth scopes: what pinpublisher asks for, and reading Pinterest's scope strings.

https://developers.pinterest.com/docs/getting-started/scopes/
"""

REQUIRED_SCOPES = ("boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read")


def parse_scopes(text: str) -> list[str]:
    """Pinterest writes granted scopes comma-separated (and sometimes space-separated)."""
    return [scope for scope in (text or "").replace(" ", ",").split(",") if scope]


def missing_scopes(granted: list[str] | str, required: tuple[str, ...] = REQUIRED_SCOPES) -> list[str]:
    """The required scopes not in ``granted``, in the order pinpublisher asks for them."""
    have = set(parse_scopes(granted) if isinstance(granted, str) else granted)
    return [scope for scope in required if scope not in have]

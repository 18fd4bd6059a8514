"""OAuth: the page a person grants the app access on, and the token calls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from requests.auth import HTTPBasicAuth

from pinterest.client.transport import Transport
from pinterest.errors import PinterestConfigurationError, PinterestError
from pinterest.scopes import REQUIRED_SCOPES


@dataclass(frozen=True)
class TokenGrant:
    """What Pinterest's ``POST /v5/oauth/token`` answered. ``repr()`` never shows the tokens.

    ``refresh_token`` is the NEW refresh token on a refresh (continuous refresh rotates
    it: the caller must store it); ``""`` when Pinterest sent none.
    """

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int | None
    refresh_token_expires_in: int | None
    refresh_token_expires_at: datetime | None
    scope: str
    token_type: str

    def access_token_expires_at(self, now: datetime) -> datetime | None:
        if self.expires_in is None:
            return None
        return now + timedelta(seconds=self.expires_in)

    def refresh_token_expiry(self, now: datetime) -> datetime | None:
        """The absolute expiry if Pinterest gave one, else ``now + refresh_token_expires_in``."""
        if self.refresh_token_expires_at is not None:
            return self.refresh_token_expires_at
        if self.refresh_token_expires_in is not None:
            return now + timedelta(seconds=self.refresh_token_expires_in)
        return None


class TokensApi(Transport):
    # --- OAuth (https://developers.pinterest.com/docs/getting-started/authentication/) ---

    def authorize_url(self, state: str, scopes: Iterable[str] = REQUIRED_SCOPES) -> str:
        """The Pinterest page a person is sent to, to grant the app access to their account."""
        app_id = _required(self.config.app_id, "PINTEREST_APP_ID")
        redirect_uri = _required(self.config.redirect_uri, "PINTEREST_REDIRECT_URI")
        query = urlencode(
            {
                "client_id": app_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": ",".join(scopes),
                "state": state,
            }
        )
        base = self.config.oauth_authorize_url
        return f"{base}{'&' if '?' in base else '?'}{query}"

    def exchange_code(self, code: str) -> TokenGrant:
        """Trade the authorization code from the callback for tokens.

        ``continuous_refresh=true`` asks for the 60-day rolling refresh token (Pinterest's
        only kind since 2025-09-25; apps created before must ask for it).
        """
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": _required(self.config.redirect_uri, "PINTEREST_REDIRECT_URI"),
                "continuous_refresh": "true",
            }
        )

    def refresh_access_token(self, refresh_token: str) -> TokenGrant:
        """A new access token AND a new refresh token (the old one stops working: store it)."""
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_request(self, form: dict[str, str]) -> TokenGrant:
        auth = HTTPBasicAuth(
            _required(self.config.app_id, "PINTEREST_APP_ID"), _required(self.config.app_secret, "PINTEREST_APP_SECRET")
        )
        data = self._request("POST", "/oauth/token", data=form, auth=auth)
        if not isinstance(data, dict) or not data.get("access_token"):
            raise PinterestError(
                "Pinterest's token response has no access token",
                request_id=self.last_request_id,
            )
        expires_at = _int_or_none(data.get("refresh_token_expires_at"))
        return TokenGrant(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or ""),
            expires_in=_int_or_none(data.get("expires_in")),
            refresh_token_expires_in=_int_or_none(data.get("refresh_token_expires_in")),
            refresh_token_expires_at=(datetime.fromtimestamp(expires_at, tz=UTC) if expires_at is not None else None),
            scope=str(data.get("scope") or ""),
            token_type=str(data.get("token_type") or "bearer"),
        )


def _required(value: str, name: str) -> str:
    """``value``, or a ``PinterestConfigurationError`` naming the setting ``name`` it comes from."""
    if not value:
        raise PinterestConfigurationError(f"{name} is not set: the Pinterest app is not configured")
    return value


def _int_or_none(value: object) -> int | None:
    # A JSON value: a number or a numeric string is taken, anything else is no answer.
    if not isinstance(value, str | int | float) or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

"""The OAuth authorize step: where a person is sent, and the ``state`` that brings them back.

Pinterest's OAuth is the authorization-code flow
(https://developers.pinterest.com/docs/getting-started/authentication/). The ``state``
sent with the person and echoed on the callback is what stops a forged callback
(login CSRF: someone else's code attached to your tenant). Here it is:

- random (``secrets.token_urlsafe``, 256 bits);
- bound to the session: it is stored in ``request.session`` and only a callback in
  the same session can redeem it;
- single use: redeeming removes it, whatever the outcome;
- short-lived: ``STATE_MAX_AGE_SECONDS`` (10 minutes) after it was issued it is refused.

A state also carries what the person asked for when they started (the project to
attach the connection to, the page to return to), so the callback trusts nothing
from its own query string but the code.
"""

import secrets
import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from pinterest.services.connect import connection_authorize_url

SESSION_KEY = "pinterest_oauth_states"
STATE_MAX_AGE_SECONDS = 10 * 60
#: Pending states kept per session (a person may start in several tabs); the oldest go first.
MAX_PENDING_STATES = 5


class InvalidState(Exception):
    """The callback's ``state`` is missing, unknown (wrong or already used) or expired."""


def _now() -> float:
    """The clock states are stamped with (a function so tests can move it)."""
    return time.time()


def _pending(session: SessionBase) -> dict[str, dict[str, Any]]:
    states = session.get(SESSION_KEY)
    return dict(states) if isinstance(states, dict) else {}


def state_issue(*, session: SessionBase, project_id: int | None = None, next_url: str = "") -> str:
    """A new state for this session, remembering ``project_id`` and ``next_url``."""
    now = _now()
    states = {
        key: value
        for key, value in _pending(session).items()
        if now - value.get("issued_at", 0) <= STATE_MAX_AGE_SECONDS
    }
    while len(states) >= MAX_PENDING_STATES:
        oldest = min(states, key=lambda key: states[key].get("issued_at", 0))
        del states[oldest]
    state = secrets.token_urlsafe(32)
    states[state] = {"issued_at": now, "project_id": project_id, "next": next_url}
    session[SESSION_KEY] = states
    return state


def state_redeem(*, session: SessionBase, state: str | None) -> dict[str, Any]:
    """Use up ``state``: returns what it remembered (``project_id``, ``next``).

    Raises InvalidState with the reason, for a person. A known state is removed even
    when it has expired, so it can never be tried again.
    """
    if not state:
        raise InvalidState("The answer from Pinterest carries no state.")
    states = _pending(session)
    found = None
    for key in states:
        if secrets.compare_digest(key.encode(), state.encode()):
            found = key
    if found is None:
        raise InvalidState(
            "The state in the answer from Pinterest is unknown: it was already used, belongs to "
            "another browser session, or was never issued here."
        )
    data = states.pop(found)
    session[SESSION_KEY] = states
    if _now() - data.get("issued_at", 0) > STATE_MAX_AGE_SECONDS:
        raise InvalidState(
            f"The connection attempt expired (more than {STATE_MAX_AGE_SECONDS // 60} minutes passed)."
        )
    return data


def authorize_url(*, state: str) -> str:
    """Pinterest's consent page for the app, asking for REQUIRED_SCOPES.

    Raises PinterestConfigurationError when the app id or redirect URI is not set.
    """
    return connection_authorize_url(state=state)

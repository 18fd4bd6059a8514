"""The Pinterest stand-in for tests: the ``standin`` pytest fixture and ``run_standin``.

``standin`` starts a stand-in on a free port in a background thread for one test and
points the project at it through pytest-django's ``settings`` fixture:

- ``PINTEREST_API_BASE`` = ``standin.api_base`` (``http://127.0.0.1:<port>/v5``)
- ``PINTEREST_OAUTH_AUTHORIZE_URL`` = ``standin.authorize_url``
- ``PINTEREST_CONNECT_TIMEOUT_SECONDS`` = ``PINTEREST_READ_TIMEOUT_SECONDS`` = 2, and a
  "hang" holds the connection 3 s (``standin.set_hang_seconds()``; lower the read timeout
  too for a faster hang test)
- ``PINTEREST_APP_ID`` / ``PINTEREST_APP_SECRET`` / ``PINTEREST_REDIRECT_URI``, when not
  set already, to test values; the token endpoint then checks HTTP Basic against them.

The object it yields (``pinterest.standin.server.Standin``) is the stand-in's memory and
its controls. Users are passed as the object, the id or the username.

URLs: ``base_url``, ``api_base``, ``authorize_url``, ``control_url``, ``state_url``.

Accounts and tokens:
- ``create_user(username=None, *, user_id=None, account_type="BUSINESS") -> user``
  (``user.id`` is the Pinterest user id, ``user.username``)
- ``default_user``: who the authorize page logs in as (auto-created "pinner"), changed
  with ``login_as(user)``; ``deny_next_authorize(count=1)``: redirect with
  ``error=access_denied`` instead; ``set_grant_scope(scope)``: grants carry this scope
  instead of the requested one (to test a missing scope; ``None`` undoes)
- ``issue_tokens(user, *, expires_in=30 days, refresh_expires_in=60 days, scope=all)
  -> (access_token, refresh_token)``; ``expire_access_token(token)``; ``revoke_tokens(user)``

Boards and pins:
- ``add_board(user, name, privacy="PUBLIC", *, description="") -> board_id``;
  ``add_boards(user, count, *, prefix="Board") -> [board_id]``; ``remove_board(board_id)``;
  ``boards(user=None)``
- ``add_pin(board_id, **fields) -> pin`` (already there; not a creation);
  ``pins(board_id=None) -> [pin]`` newest first

Faults and conditions:
- ``fail_next_creates(kind, count=1, retry_after=None, *, message=None,
  message_detail=None, hang_seconds=None)``; kinds: "400", "401", "403" (code 233, image
  too small), "404" (code 40), "429" (Retry-After ``retry_after`` seconds, or none),
  "500", "503" (nothing created), "hang" (no answer, then closed), "drop" (closed
  without answer, nothing created), "drop_after_create", "hang_after_create",
  "503_after_create" (the pin IS created, then the client gets no answer / a 503)
- ``fail_next(kind, count=1, *, endpoint="any", ...)`` for the other endpoints:
  "user_account", "list_boards", "list_board_pins", "token", "any"; ``clear_faults()``
- ``set_latency(ms)``; ``set_hang_seconds(s)``
- ``set_rate_limit(limit, window_seconds=60, *, retry_after=True, category="write",
  message_detail=None)``: per access token, sliding window, 429 code 8 with Retry-After
  (True: seconds until a slot frees; a number; None: no header); category "write"
  (creates), "read" or "all"; ``set_rate_limit(None)`` lifts it

What happened:
- ``creations``: [Creation(time, user_id, token_id, board_id, body_hash, pin_id)];
  ``time`` is ``time.time()`` on the stand-in when the pin was stored
- ``created_count(board_id=None, *, body=None, body_hash=None)``; ``body_hash(payload)``
  and ``token_id(access_token)`` compute what the records hold
- ``create_times(*, user=None, access_token=None) -> [float]`` to check pacing
- ``calls``: [Call(time, method, path, endpoint, status, outcome, user_id)]
- ``snapshot()`` (the JSON of ``GET /_standin/state``); ``reset()`` forgets everything

Over HTTP (another process, the demo): ``GET /_standin/state`` returns ``snapshot()``;
``POST /_standin/control`` with ``{"action": "<method>", ...keyword arguments}`` (or a
list of them) calls the method of the same name (``fail_next_creates``, ``set_latency``,
``set_rate_limit``, ``create_user``, ``issue_tokens``, ``add_board``, ``remove_board``,
``deny_next_authorize``, ``login_as``, ``set_grant_scope``, ``seed_demo``, ``reset``, ...)
and answers ``{"ok": true, "result": ...}``.
"""

import pytest

from pinterest.standin.server import Standin, run_standin

__all__ = ["Standin", "run_standin", "standin", "TEST_APP_ID", "TEST_APP_SECRET", "TEST_REDIRECT_URI"]

TEST_APP_ID = "1500000"
TEST_APP_SECRET = "standin-app-secret"
TEST_REDIRECT_URI = "http://testserver/pinterest/callback/"


@pytest.fixture
def standin(settings):
    """A running Pinterest stand-in the project's settings point at (see the module docstring)."""
    with run_standin(hang_seconds=3.0) as server:
        settings.PINTEREST_API_BASE = server.api_base
        settings.PINTEREST_OAUTH_AUTHORIZE_URL = server.authorize_url
        settings.PINTEREST_CONNECT_TIMEOUT_SECONDS = 2
        settings.PINTEREST_READ_TIMEOUT_SECONDS = 2
        settings.PINTEREST_APP_ID = settings.PINTEREST_APP_ID or TEST_APP_ID
        settings.PINTEREST_APP_SECRET = settings.PINTEREST_APP_SECRET or TEST_APP_SECRET
        settings.PINTEREST_REDIRECT_URI = settings.PINTEREST_REDIRECT_URI or TEST_REDIRECT_URI
        yield server

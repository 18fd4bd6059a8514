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
- uploaded videos are processed at once (``media_processing_seconds=0``; the default of a
  stand-in is 1 s).

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
- ``add_pin(board_id, *, created_at=None, **fields) -> pin`` (already there; not a creation;
  ``created_at`` backdates it); ``pins(board_id=None) -> [pin]`` newest first;
  ``remove_pin(pin_id)`` (gone from Pinterest: its analytics answer 404)

Analytics (``GET /v5/pins/{id}/analytics``, ``GET /v5/user_account/analytics``; see
``pinterest.standin.analytics`` for how the numbers are made):
- ``set_analytics_today(day=None)``: the day the analytics take as today (the last 3 days before
  it are revised ``ESTIMATE``s); ``set_rate_limit(..., category="org_analytics")`` limits them;
  ``fail_next("429" | "404", endpoint="pin_analytics" | "user_account_analytics")``
- ``seed_demo_history(username="demo", days=30)``: the demo user's pins created over the last
  ``days`` days at a few weekly times (``pinterest.standin.demo_history``), backdated, returned
  as ``[{"id", "board_id", "created_at", "title"}]`` (``make run`` records them as published)

Board sections (``GET /v5/boards/{id}/sections``, paged like the other lists):
- ``add_board_section(board_id, name) -> section_id``; ``rename_board_section(section_id,
  name)``; ``delete_board_section(section_id)``; ``board_sections(board_id) -> [Section]``
  (``.id``, ``.board_id``, ``.name``). ``remove_board`` removes its sections.
  ``seed_demo`` gives the Recipes board the sections "Soups" and "Desserts".

Media (``POST /v5/media``, the upload to ``upload_url``, ``GET /v5/media/{id}``):
- ``upload_url`` is ``<base_url>/_standin/media-upload/<media_id>``, an S3-like form
  endpoint: every ``upload_parameters`` field and a ``file`` part, with a Content-Length;
  204 when complete, else S3's XML ``<Error>`` (400 InvalidArgument naming the missing
  field, 403 AccessDenied for a changed value, 411 without Content-Length).
- status: "registered" until uploaded, "processing" for ``media_processing_seconds`` after
  the upload, then "succeeded" (or "failed"); media of another account is 404
- ``set_media_processing_seconds(s)`` (uploads from then on)
- ``fail_next_upload(status=403, count=1, *, code=None, message=None)``: refused with
  S3's XML (403 AccessDenied, 400, 404, 500 InternalError, 503 SlowDown), nothing stored;
  ``fail_next_upload("drop")``: the body is read, then the connection closes unanswered
- ``fail_next_media_processing(reason="...", count=1)``: the next uploads end "failed";
  Pinterest's Media has no reason field, so the reason is kept on the media and named by
  a create that uses it (400)
- ``register_media(user) -> Media`` (as ``POST /v5/media`` does); ``media(media_id) ->
  Media`` with ``status(time.time())``, ``size``, ``sha256``, ``filename``,
  ``upload_count`` (complete uploads received), ``failure_reason``;
  ``media_status(media_id)``
- ``fail_next(kind, endpoint="register_media" | "get_media" | "list_board_sections")``
  like the other endpoints

Creating pins also checks: ``board_section_id`` must be a section of the board (400);
``video_id`` media must be this account's and "succeeded" (400 naming its status or its
failure reason); a carousel has 2-5 items of the same dimensions (400 naming the item),
measured for base64 items and for URL items on this machine (localhost, the stand-in).

Faults and conditions:
- ``fail_next_creates(kind, count=1, retry_after=None, *, message=None,
  message_detail=None, hang_seconds=None)``; kinds: "400", "401", "403" (code 233, image
  too small), "404" (code 40), "429" (Retry-After ``retry_after`` seconds, or none),
  "500", "503" (nothing created), "hang" (no answer, then closed), "drop" (closed
  without answer, nothing created), "drop_after_create", "hang_after_create",
  "503_after_create" (the pin IS created, then the client gets no answer / a 503)
- ``fail_next(kind, count=1, *, endpoint="any", ...)`` for the other endpoints:
  "user_account", "list_boards", "list_board_pins", "list_board_sections", "register_media",
  "get_media", "token", "any"; ``clear_faults()`` (also clears upload and processing faults)
- ``set_latency(ms)``; ``set_hang_seconds(s)``
- ``set_rate_limit(limit, window_seconds=60, *, retry_after=True, category="write",
  message_detail=None)``: per access token, sliding window, 429 code 8 with Retry-After
  (True: seconds until a slot frees; a number; None: no header); category "write"
  (creates), "read" or "all"; ``set_rate_limit(None)`` lifts it

What happened:
- ``creations``: [Creation(time, user_id, token_id, board_id, body_hash, pin_id,
  media_kind, item_count, media_id, board_section_id)]; ``time`` is ``time.time()`` on
  the stand-in when the pin was stored; ``media_kind`` is "image", "carousel" (with
  ``item_count``) or "video" (with ``media_id``)
- ``created_count(board_id=None, *, body=None, body_hash=None)``; ``body_hash(payload)``
  and ``token_id(access_token)`` compute what the records hold
- ``create_times(*, user=None, access_token=None) -> [float]`` to check pacing
- ``calls``: [Call(time, method, path, endpoint, status, outcome, user_id)]; uploads are
  endpoint "media_upload"
- ``snapshot()`` (the JSON of ``GET /_standin/state``); ``reset()`` forgets everything

Over HTTP (another process, the demo): ``GET /_standin/state`` returns ``snapshot()``;
``POST /_standin/control`` with ``{"action": "<method>", ...keyword arguments}`` (or a
list of them) calls the method of the same name (``fail_next_creates``, ``set_latency``,
``set_rate_limit``, ``create_user``, ``issue_tokens``, ``add_board``, ``remove_board``,
``add_board_section``, ``rename_board_section``, ``delete_board_section``,
``register_media``, ``set_media_processing_seconds``, ``fail_next_upload``,
``fail_next_media_processing``,
``deny_next_authorize``, ``login_as``, ``set_grant_scope``, ``seed_demo``, ``seed_demo_history``,
``reset``, ...)
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
    with run_standin(hang_seconds=3.0, media_processing_seconds=0) as server:
        settings.PINTEREST_API_BASE = server.api_base
        settings.PINTEREST_OAUTH_AUTHORIZE_URL = server.authorize_url
        settings.PINTEREST_CONNECT_TIMEOUT_SECONDS = 2
        settings.PINTEREST_READ_TIMEOUT_SECONDS = 2
        settings.PINTEREST_APP_ID = settings.PINTEREST_APP_ID or TEST_APP_ID
        settings.PINTEREST_APP_SECRET = settings.PINTEREST_APP_SECRET or TEST_APP_SECRET
        settings.PINTEREST_REDIRECT_URI = settings.PINTEREST_REDIRECT_URI or TEST_REDIRECT_URI
        yield server

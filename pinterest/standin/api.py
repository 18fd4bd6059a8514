"""What the stand-in answers: Pinterest API v5's behaviour for the calls this project makes.

``handle(state, request)`` turns one parsed request into a ``Reply``; the HTTP server
(``pinterest.standin.server``) does the sockets, the latency and the hanging. Errors
are Pinterest's JSON ``{code, message}``; every reply carries an ``x-pinterest-rid``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
import time
from dataclasses import asdict, dataclass, field, is_dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pinterest.scopes import parse_scopes
from pinterest.standin import analytics, pages
from pinterest.standin.images import local_image_sizes
from pinterest.standin.state import (
    CODE_SECONDS,
    ENDPOINT_SCOPES,
    FAULTS,
    RATE_LIMIT_MESSAGE,
    UPLOAD_PATH,
    Call,
    Creation,
    StandinError,
    StandinState,
)
from pinterest.standin.validation import (
    CAROUSEL_SOURCE_TYPES,
    carousel_dimensions_problem,
    decode_image,
    pin_create_problem,
)

MAX_PAGE_SIZE = 250
DEFAULT_PAGE_SIZE = 25

# What a created pin's media was, by media_source.source_type (recorded on its Creation).
MEDIA_KINDS = {
    "image_url": "image",
    "image_base64": "image",
    "multiple_image_urls": "carousel",
    "multiple_image_base64": "carousel",
    "video_id": "video",
}

# The Python API methods the control endpoint may call, by name.
CONTROL_ACTIONS = (
    "create_user",
    "issue_tokens",
    "expire_access_token",
    "revoke_tokens",
    "add_board",
    "add_boards",
    "remove_board",
    "add_pin",
    "remove_pin",
    "set_analytics_today",
    "fail_next",
    "fail_next_creates",
    "add_board_section",
    "rename_board_section",
    "delete_board_section",
    "register_media",
    "set_media_processing_seconds",
    "fail_next_upload",
    "fail_next_media_processing",
    "clear_faults",
    "set_latency",
    "set_hang_seconds",
    "set_min_image_px",
    "set_rate_limit",
    "deny_next_authorize",
    "login_as",
    "set_grant_scope",
    "seed_demo",
    "seed_demo_history",
    "reset",
)


@dataclass
class Request:
    method: str
    target: str  # path with query, as received
    headers: dict  # lower-case names
    body: bytes = b""
    # (width, height) of carousel image URLs the stand-in could fetch (local servers only),
    # read before the state lock is taken: see ``images.local_image_sizes``.
    image_sizes: dict = field(default_factory=dict)

    @property
    def path(self):
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.target).query, keep_blank_values=True).items()}


@dataclass
class Reply:
    status: int
    body: object = None  # JSON data, or str for text/html
    headers: dict = field(default_factory=dict)
    then: str = "answer"  # "answer" | "drop" (close without answering) | "hang" (wait, then close)
    hang_seconds: float = 0.0
    endpoint: str = ""
    user_id: str = ""


def error(status, code, message, **extra) -> Reply:
    return Reply(status, {"code": code, "message": message, **extra})


def handle(state: StandinState, request: Request) -> Reply:
    """The reply to one request. Records it in ``state.calls`` (control calls excepted)."""
    request_id = secrets.token_hex(8)
    path = request.path
    if path.startswith("/_standin/"):
        reply = _control(state, request)
    else:
        if request.method == "POST" and path.rstrip("/") == "/v5/pins":
            request.image_sizes = local_image_sizes(request.body, request.headers.get("host", ""))
        with state.lock:
            reply = _route(state, request)
            state.record_call(
                Call(
                    time=time.time(),
                    method=request.method,
                    path=path,
                    endpoint=reply.endpoint,
                    status=reply.status if reply.then == "answer" else None,
                    outcome={"answer": "answered", "drop": "dropped", "hang": "hung"}[reply.then],
                    user_id=reply.user_id,
                    query=urlsplit(request.target).query,
                )
            )
    reply.headers.setdefault("x-pinterest-rid", request_id)
    return reply


def _route(state, request) -> Reply:
    method, path = request.method, request.path.rstrip("/") or "/"
    routes = {
        "/oauth": ("GET", "authorize", _authorize),
        "/v5/oauth/token": ("POST", "token", _token),
        "/v5/user_account": ("GET", "user_account", _user_account),
        "/v5/user_account/analytics": ("GET", "user_account_analytics", _user_account_analytics),
        "/v5/boards": ("GET", "list_boards", _list_boards),
        "/v5/pins": ("POST", "create_pin", _create_pin),
    }
    parts = path.split("/")
    if len(parts) == 5 and parts[1:3] == ["v5", "boards"] and parts[4] == "pins":
        route = ("GET", "list_board_pins", lambda s, r: _list_board_pins(s, r, parts[3]))
    elif len(parts) == 5 and parts[1:3] == ["v5", "boards"] and parts[4] == "sections":
        route = ("GET", "list_board_sections", lambda s, r: _list_board_sections(s, r, parts[3]))
    elif len(parts) == 5 and parts[1:3] == ["v5", "pins"] and parts[4] == "analytics":
        route = ("GET", "pin_analytics", lambda s, r: _pin_analytics(s, r, parts[3]))
    elif path == "/v5/media":
        route = ("POST", "register_media", _register_media)
    elif len(parts) == 4 and parts[1:3] == ["v5", "media"]:
        route = ("GET", "get_media", lambda s, r: _get_media(s, r, parts[3]))
    elif path in routes:
        route = routes[path]
    elif path == "/":
        return Reply(
            200,
            {
                "name": "Pinterest API v5 stand-in",
                "api": "/v5",
                "authorize": "/oauth/",
                "control": "/_standin/control",
                "state": "/_standin/state",
            },
        )
    else:
        return error(404, 404, "Not found.")
    allowed_method, name, view = route
    if method != allowed_method:
        return error(405, 405, f"Method {method} not allowed.")
    reply = view(state, request)
    reply.endpoint = name
    return reply


# --- OAuth ---------------------------------------------------------------------------


def _app_credentials(state):
    """(app id, app secret) to check HTTP Basic against: the stand-in's own, else the
    project's settings (read per request, so tests can override them); empty when unset."""

    def setting(name):
        try:
            return getattr(settings, name, "") or ""
        except ImproperlyConfigured:  # a script running the stand-in without Django settings
            return ""

    app_id = state.app_id if state.app_id is not None else setting("PINTEREST_APP_ID")
    secret = state.app_secret if state.app_secret is not None else setting("PINTEREST_APP_SECRET")
    return app_id, secret


def _authorize(state, request) -> Reply:
    """Pinterest's consent page, already consented: straight back to redirect_uri."""
    query = request.query
    redirect_uri = query.get("redirect_uri", "")
    app_id, _secret = _app_credentials(state)
    problem = None
    if not query.get("client_id"):
        problem = "client_id is missing."
    elif app_id and query["client_id"] != app_id:
        problem = f"Unknown client_id {query['client_id']!r}."
    elif urlsplit(redirect_uri).scheme not in ("http", "https"):
        problem = "redirect_uri is missing or not an http(s) URL."
    elif query.get("response_type") != "code":
        problem = "response_type must be 'code'."
    elif not query.get("scope"):
        problem = "scope is missing."
    if problem:
        return Reply(
            400,
            f"<!doctype html><title>Pinterest</title><h1>Invalid request</h1><p>{problem}</p>",
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
    params = {}
    if state.deny_authorize > 0:
        state.deny_authorize -= 1
        params["error"] = "access_denied"
    else:
        code = secrets.token_urlsafe(24)
        user = state.default_user
        state.codes[code] = {
            "user_id": user.id,
            "client_id": query["client_id"],
            "redirect_uri": redirect_uri,
            "scope": state.grant_scope or query["scope"],
            "expires_at": time.time() + CODE_SECONDS,
        }
        params["code"] = code
    if "state" in query:
        params["state"] = query["state"]
    location = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(params)}"
    return Reply(302, "", headers={"Location": location, "Content-Type": "text/plain"})


def _token(state, request) -> Reply:
    reply = _fault_reply(state, "token")
    if reply:
        return reply
    app_id, secret = _app_credentials(state)
    basic = _basic_credentials(request.headers.get("authorization", ""))
    if app_id and secret and basic != (app_id, secret):
        return error(401, 2, "Authentication failed.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return error(400, 1, "Content-Type must be application/x-www-form-urlencoded.")
    try:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return error(400, 1, "Invalid parameters.")
    allowed = {"grant_type", "code", "redirect_uri", "continuous_refresh", "refresh_token", "scope"}
    unexpected = sorted(set(form) - allowed)
    if unexpected:
        return error(400, 1, f"Unexpected parameter(s): {', '.join(unexpected)}.")
    grant_type = form.get("grant_type")
    now = time.time()
    if grant_type == "authorization_code":
        if not form.get("code") or not form.get("redirect_uri"):
            return error(400, 1, "code and redirect_uri are required.")
        grant = state.codes.pop(form["code"], None)  # single use, even when refused below
        if grant is None or grant["expires_at"] < now:
            return error(400, 1, "Invalid authorization code.")
        if grant["redirect_uri"] != form["redirect_uri"]:
            return error(400, 1, "redirect_uri does not match the authorization request.")
        if basic and grant["client_id"] != basic[0]:
            return error(400, 1, "The authorization code was issued to another app.")
        return Reply(
            200, state._grant(grant["user_id"], grant["scope"], "authorization_code"), user_id=grant["user_id"]
        )
    if grant_type == "refresh_token":
        token = state.tokens.get(form.get("refresh_token") or "")
        if token is None or token.kind != "refresh" or not token.is_valid(now):
            return error(400, 1, "Invalid refresh token.")
        scope = token.scope
        if form.get("scope"):
            if not set(parse_scopes(form["scope"])) <= set(parse_scopes(scope)):
                return error(400, 1, "The requested scope exceeds the granted scope.")
            scope = form["scope"]
        # Continuous refresh: every refresh rotates the refresh token; the used one is dead.
        token.revoked = True
        return Reply(200, state._grant(token.user_id, scope, "refresh_token"), user_id=token.user_id)
    return error(400, 1, f"Unsupported grant_type {grant_type!r}.")


def _basic_credentials(header) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return None
    return (user, password) if sep else None


# --- the API ---------------------------------------------------------------------------


def _authenticate(state, request, endpoint):
    """(token, None), or (None, the 401 reply): unknown, expired or revoked token; missing scope."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    token = state.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.kind != "access" or not token.is_valid(time.time()) or token.user_id not in state.users:
        return None, error(401, 2, "Authentication failed.")
    granted = set(parse_scopes(token.scope))
    if not set(ENDPOINT_SCOPES[endpoint]) <= granted:
        return None, error(
            401,
            3,
            "Your token does not have sufficient permissions to perform this operation. "
            "Please ensure your token is authorized with the correct set of scopes.",
        )
    return token, None


def _rate_limit_reply(state, request, token, endpoint="") -> Reply | None:
    wait = state.rate_limited(token.value, request.method, time.time(), endpoint)
    if wait is False:
        return None
    limit = state.rate_limit
    reply = error(429, 8, RATE_LIMIT_MESSAGE)
    if limit.message_detail:
        reply.body["message_detail"] = limit.message_detail
    if limit.retry_after is True:
        reply.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    elif limit.retry_after not in (None, False):
        reply.headers["Retry-After"] = str(limit.retry_after)
    return reply


def _fault_reply(state, endpoint, fault=None) -> Reply | None:
    """The reply a queued fault for ``endpoint`` dictates, or None when none is queued."""
    fault = fault or state.take_fault(endpoint)
    if fault is None:
        return None
    hang = fault.hang_seconds if fault.hang_seconds is not None else state.hang_seconds
    if fault.kind in ("hang", "hang_after_create"):
        return Reply(0, then="hang", hang_seconds=hang)
    if fault.kind in ("drop", "drop_after_create"):
        return Reply(0, then="drop")
    status, code, message = FAULTS[fault.kind]
    reply = error(status, code, fault.message or message)
    if fault.message_detail:
        reply.body["message_detail"] = fault.message_detail
    if status == 429 and fault.retry_after is not None:
        retry_after = fault.retry_after
        reply.headers["Retry-After"] = str(int(retry_after)) if retry_after == int(retry_after) else str(retry_after)
    return reply


def _api(endpoint):
    """Wrap an endpoint: authenticate, then apply a queued fault, then the rate limit.

    A ``*_after_create`` fault lets the create happen and replaces its 201.
    """

    def decorator(view):
        def wrapped(state, request, *args):
            token, reply = _authenticate(state, request, endpoint)
            if reply is None:
                fault = state.take_fault(endpoint)
                if fault is not None and not fault.kind.endswith("_after_create"):
                    reply = _fault_reply(state, endpoint, fault)
                else:
                    reply = _rate_limit_reply(state, request, token, endpoint) or view(state, request, token, *args)
                    if fault is not None and reply.status == 201:
                        reply = _fault_reply(state, endpoint, fault)
            reply.user_id = token.user_id if token else ""
            return reply

        return wrapped

    return decorator


@_api("user_account")
def _user_account(state, request, token) -> Reply:
    user = state.users[token.user_id]
    boards = [b for b in state.board_map.values() if b.owner_id == user.id]
    return Reply(
        200,
        {
            "account_type": user.account_type,
            "id": user.id,
            "username": user.username,
            "business_name": user.username.title() if user.account_type == "BUSINESS" else None,
            "profile_image": f"https://i.pinimg.com/600x600_R/standin/{user.id}.jpg",
            "website_url": "",
            "about": "",
            "board_count": len(boards),
            "pin_count": sum(len(b.pin_ids) for b in boards),
            "follower_count": 0,
            "following_count": 0,
            "monthly_views": 0,
        },
    )


@_api("pin_analytics")
def _pin_analytics(state, request, token, pin_id) -> Reply:
    pin = state.pin_map.get(pin_id)
    if pin is None or state.board_map[pin["board_id"]].owner_id != token.user_id:
        return error(404, 50, "Pin not found.")
    return Reply(*analytics.pin_analytics(state, pin, request.query))


@_api("user_account_analytics")
def _user_account_analytics(state, request, token) -> Reply:
    pins = [state.pin_map[p] for b in state.board_map.values() if b.owner_id == token.user_id for p in b.pin_ids]
    return Reply(*analytics.account_analytics(state, pins, request.query))


@_api("list_boards")
def _list_boards(state, request, token) -> Reply:
    boards = [b for b in state.board_map.values() if b.owner_id == token.user_id]
    owner = state.users[token.user_id].username
    return _page(request, "boards", [(b.id, _board_json(b, owner)) for b in boards])


def _own_board(state, token, board_id):
    """The board if it exists and is the token's user's; else None (Pinterest's 404 code 40)."""
    board = state.board_map.get(board_id)
    return board if board is not None and board.owner_id == token.user_id else None


def _json_body(request):
    """(the decoded JSON body, None), or (None, the 400 reply)."""
    try:
        return json.loads(request.body or b"null"), None
    except (ValueError, UnicodeDecodeError):
        return None, error(400, 1, "Request body is not valid JSON.")


@_api("list_board_pins")
def _list_board_pins(state, request, token, board_id) -> Reply:
    board = _own_board(state, token, board_id)
    if board is None:
        return error(404, 40, "Board not found.")
    items = [(p, state.pin_map[p]) for p in reversed(board.pin_ids)]
    return _page(request, f"pins:{board_id}", items)


@_api("create_pin")
def _create_pin(state, request, token) -> Reply:
    body, reply = _json_body(request)
    if reply:
        return reply
    problem = pin_create_problem(body)
    if problem:
        return error(400, 1, problem)
    board = _own_board(state, token, body["board_id"])
    if board is None:
        return error(404, 40, "Board not found.")
    source = body["media_source"]
    if state.min_image_px and source.get("source_type") == "image_base64":
        _format, width, height = decode_image(source)
        if min(width, height) < state.min_image_px:
            return error(403, *FAULTS["403"][1:])
    refusal = _section_refusal(state, board, body) or _video_refusal(state, token, source)
    if refusal:
        return refusal
    problem = carousel_dimensions_problem(source, request.image_sizes)
    if problem:
        return error(400, 1, problem)
    pin = state._store_pin(board, body)
    source_type = source.get("source_type")
    pages.remember_image(state, pin["id"], source)
    state.record_creation(
        Creation(
            time=time.time(),
            user_id=token.user_id,
            token_id=state.token_id(token.value),
            board_id=board.id,
            body_hash=state.body_hash(body),
            pin_id=pin["id"],
            media_kind=MEDIA_KINDS.get(source_type, "image"),
            item_count=len(source["items"]) if source_type in CAROUSEL_SOURCE_TYPES else 1,
            media_id=source.get("media_id") if source_type == "video_id" else None,
            board_section_id=body.get("board_section_id"),
        )
    )
    return Reply(201, pin)


def _section_refusal(state, board, body) -> Reply | None:
    section_id = body.get("board_section_id")
    if section_id is None:
        return None
    section = state.section_map.get(section_id)
    if section is None or section.board_id != board.id:
        return error(400, 1, f"board_section_id: {section_id} is not a section of board {board.id}.")
    return None


def _video_refusal(state, token, source) -> Reply | None:
    """A video pin needs media of this account whose processing succeeded."""
    if source.get("source_type") != "video_id":
        return None
    media_id = source["media_id"]
    media = state.media_map.get(media_id)
    if media is None or media.user_id != token.user_id:
        return error(400, 1, f"media_source.media_id: there is no media {media_id} of this account.")
    status = media.status(time.time())
    if status == "failed":
        return error(400, 1, f"media_source.media_id: media {media_id} failed processing: {media.failure_reason}")
    if status != "succeeded":
        return error(400, 1, f"media_source.media_id: media {media_id} is {status}, not succeeded yet.")
    return None


# --- board sections and media (https://developers.pinterest.com/docs/api/v5/media-create) ---


@_api("list_board_sections")
def _list_board_sections(state, request, token, board_id) -> Reply:
    board = _own_board(state, token, board_id)
    if board is None:
        return error(404, 40, "Board not found.")
    sections = [(s.id, {"id": s.id, "name": s.name}) for s in state.board_sections(board.id)]
    return _page(request, f"sections:{board_id}", sections)


@_api("register_media")
def _register_media(state, request, token) -> Reply:
    body, reply = _json_body(request)
    if reply:
        return reply
    if not isinstance(body, dict) or body.get("media_type") != "video":
        got = body.get("media_type") if isinstance(body, dict) else None
        return error(400, 1, f"media_type: must be 'video', not {got!r}.")
    media = state.register_media(token.user_id, body["media_type"])
    host = request.headers.get("host") or "127.0.0.1"
    return Reply(
        201,
        {
            "media_id": media.id,
            "media_type": media.media_type,
            "upload_url": f"http://{host}{UPLOAD_PATH}{media.id}",
            "upload_parameters": dict(media.upload_parameters),
        },
    )


@_api("get_media")
def _get_media(state, request, token, media_id) -> Reply:
    media = state.media_map.get(media_id)
    if media is None or media.user_id != token.user_id:
        return error(404, 404, "Media not found.")
    return Reply(200, {"media_id": media.id, "media_type": media.media_type, "status": media.status(time.time())})


def _page(request, listing, items) -> Reply:
    """One page of ``items`` ([(id, json)], in order) after the bookmark's id."""
    query = request.query
    try:
        page_size = int(query.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        return error(400, 1, f"page_size: {query['page_size']!r} is not an integer.")
    if page_size < 1:
        return error(400, 1, f"page_size: {page_size} is less than the minimum of 1")
    if page_size > MAX_PAGE_SIZE:
        return error(400, 1, f"page_size: {page_size} is greater than the maximum of {MAX_PAGE_SIZE}")
    start = 0
    if query.get("bookmark"):
        after = _read_bookmark(query["bookmark"], listing)
        ids = [item_id for item_id, _ in items]
        if after is None or after not in ids:
            return error(400, 1, "Invalid bookmark.")
        start = ids.index(after) + 1
    chunk = items[start : start + page_size]
    more = start + page_size < len(items)
    bookmark = _make_bookmark(listing, chunk[-1][0]) if more and chunk else None
    return Reply(200, {"items": [item for _, item in chunk], "bookmark": bookmark})


def _make_bookmark(listing, after_id) -> str:
    raw = json.dumps({"l": listing, "a": after_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_bookmark(bookmark, listing):
    try:
        data = json.loads(base64.urlsafe_b64decode(bookmark + "=" * (-len(bookmark) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict) or data.get("l") != listing:
        return None
    return data.get("a")


def _board_json(board, owner_username) -> dict:
    created = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(board.created_at))
    return {
        "id": board.id,
        "name": board.name,
        "description": board.description,
        "privacy": board.privacy,
        "owner": {"username": owner_username},
        "created_at": created,
        "board_pins_modified_at": created,
        "pin_count": len(board.pin_ids),
        "follower_count": 0,
        "collaborator_count": 0,
        "is_ads_only": False,
        "media": {"image_cover_url": None, "pin_thumbnail_urls": []},
    }


# --- control ----------------------------------------------------------------------------


def _control(state, request) -> Reply:
    page = pages.pin_page(state, request.path) if request.method == "GET" else None
    if page is not None:
        status, html, headers = page
        return Reply(status, html, headers=dict(headers))
    path = request.path.rstrip("/")
    if path == "/_standin/state" and request.method == "GET":
        return Reply(200, state.snapshot())
    if path != "/_standin/control" or request.method != "POST":
        return error(404, 404, "Not found. Use GET /_standin/state or POST /_standin/control.")
    try:
        command = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return error(400, 1, 'Control body must be JSON: {"action": ..., ...arguments}.')
    commands = command if isinstance(command, list) else [command]
    results = []
    for item in commands:
        if not isinstance(item, dict) or item.get("action") not in CONTROL_ACTIONS:
            return error(400, 1, f"Unknown action; one of: {', '.join(CONTROL_ACTIONS)}.")
        arguments = {k: v for k, v in item.items() if k != "action"}
        try:
            result = getattr(state, item["action"])(**arguments)
        except (StandinError, TypeError, ValueError) as err:
            return error(400, 1, f"{item['action']}: {err}")
        results.append(_jsonable(result))
    return Reply(200, {"ok": True, "result": results if isinstance(command, list) else results[0]})


def _jsonable(value):
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value

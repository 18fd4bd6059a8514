"""The stand-in's memory: users, tokens, boards, pins, queued faults and what happened.

``StandinState`` is also the direct Python API tests use (``pinterest.standin.testing``
documents it); the HTTP control endpoint calls the same methods. Everything is guarded
by one re-entrant lock; nothing here sleeps or does I/O.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from pinterest.standin import demo_history

ACCESS_TOKEN_SECONDS = 30 * 24 * 3600
REFRESH_TOKEN_SECONDS = 60 * 24 * 3600
CODE_SECONDS = 10 * 60
DEFAULT_HANG_SECONDS = 35.0  # longer than the client's default read timeout (30 s)
# Where the stand-in's S3 takes media uploads: upload_url is http://<stand-in host><UPLOAD_PATH><media_id>.
UPLOAD_PATH = "/_standin/media-upload/"
# How long an uploaded video stays "processing" before it "succeeded" (or "failed").
DEFAULT_MEDIA_PROCESSING_SECONDS = 1.0

# The scopes this project asks for; a grant echoes what the authorize request asked for.
DEFAULT_SCOPE = "boards:read,boards:write,pins:read,pins:write,user_accounts:read"

# Which scopes each endpoint needs (Pinterest's OpenAPI "security" of each operation).
ENDPOINT_SCOPES = {
    "user_account": ("user_accounts:read",),
    "list_boards": ("boards:read",),
    "list_board_pins": ("boards:read", "pins:read"),
    "create_pin": ("boards:read", "boards:write", "pins:read", "pins:write"),
    "list_board_sections": ("boards:read",),
    "register_media": ("pins:read", "pins:write"),
    "get_media": ("pins:read",),
    "pin_analytics": ("boards:read", "pins:read"),
    "user_account_analytics": ("user_accounts:read",),
}
#: Pinterest's org_analytics rate-limit category: the limit of set_rate_limit(category="org_analytics").
ANALYTICS_ENDPOINTS = ("pin_analytics", "user_account_analytics")
ENDPOINTS = (
    "user_account",
    "list_boards",
    "list_board_pins",
    "create_pin",
    "list_board_sections",
    "register_media",
    "get_media",
    "pin_analytics",
    "user_account_analytics",
    "token",
    "any",
)

# S3's error codes for the statuses an upload fault can answer with (its XML <Code>).
UPLOAD_FAULT_CODES = {
    400: ("InvalidArgument", "Invalid argument."),
    403: ("AccessDenied", "Invalid according to Policy: Policy expired."),
    404: ("NoSuchBucket", "The specified bucket does not exist."),
    500: ("InternalError", "We encountered an internal error. Please try again."),
    503: ("SlowDown", "Please reduce your request rate."),
}

RATE_LIMIT_MESSAGE = (
    "This request exceeded a rate limit. This can happen if the client exceeds one\n"
    "of the published rate limits within a short time window."
)

# kind -> (HTTP status, Pinterest code, message). "*_after_create" kinds create the pin first.
FAULTS = {
    "400": (400, 1, "Invalid parameters."),
    "401": (401, 2, "Authentication failed."),
    "403": (403, 233, "Image is too small. Please upload a larger image and try again."),
    "404": (404, 40, "Board not found."),
    "429": (429, 8, RATE_LIMIT_MESSAGE),
    "500": (500, 500, "Internal error. Please try again later."),
    "503": (503, 503, "Service unavailable. Please try again later."),
    "503_after_create": (503, 503, "Service unavailable. Please try again later."),
    "hang": (None, None, ""),
    "hang_after_create": (None, None, ""),
    "drop": (None, None, ""),
    "drop_after_create": (None, None, ""),
}


class StandinError(ValueError):
    """A control call the stand-in cannot carry out (unknown user, bad fault kind, ...)."""


@dataclass
class StandinUser:
    id: str
    username: str
    account_type: str = "BUSINESS"


@dataclass
class Board:
    id: str
    owner_id: str
    name: str
    privacy: str = "PUBLIC"
    description: str = ""
    created_at: float = field(default_factory=time.time)
    pin_ids: list = field(default_factory=list)  # oldest first


@dataclass
class Section:
    id: str
    board_id: str
    name: str


@dataclass
class Media:
    """A registered media upload (``POST /v5/media``) and what became of it."""

    id: str
    user_id: str
    media_type: str
    upload_parameters: dict
    registered_at: float = field(default_factory=time.time)
    uploaded_at: float | None = None  # the last complete upload
    processing_seconds: float = 0.0  # the processing delay when it was uploaded
    failure_reason: str | None = None  # set: processing ends "failed"
    size: int | None = None  # bytes of the uploaded file
    sha256: str | None = None
    filename: str | None = None
    upload_count: int = 0  # complete uploads received (a re-upload counts again)

    def status(self, now: float) -> str:
        """registered -> processing -> succeeded | failed (Pinterest's MediaUploadStatus)."""
        if self.uploaded_at is None:
            return "registered"
        if now < self.uploaded_at + self.processing_seconds:
            return "processing"
        return "failed" if self.failure_reason else "succeeded"


@dataclass
class UploadFault:
    status: int | None  # None: "drop" (the body is read, then the connection closed)
    code: str = ""
    message: str = ""


@dataclass
class Token:
    value: str = field(repr=False)
    kind: str  # "access" | "refresh"
    user_id: str
    scope: str
    expires_at: float
    revoked: bool = False

    def is_valid(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class Fault:
    kind: str
    endpoint: str = "create_pin"
    retry_after: float | None = None
    message: str | None = None
    message_detail: str | None = None
    hang_seconds: float | None = None


@dataclass(frozen=True)
class Creation:
    """One pin the stand-in created through ``POST /v5/pins``."""

    time: float  # time.time() on the stand-in when the pin was stored
    user_id: str
    token_id: str  # StandinState.token_id(access_token): a fingerprint, not the token
    board_id: str
    body_hash: str  # StandinState.body_hash(request body)
    pin_id: str
    media_kind: str = "image"  # "image" | "carousel" | "video" (by media_source.source_type)
    item_count: int = 1  # images of a carousel; 1 otherwise
    media_id: str | None = None  # the video's media id
    board_section_id: str | None = None


@dataclass(frozen=True)
class Call:
    """One request the stand-in received (control calls excluded)."""

    time: float
    method: str
    path: str
    endpoint: str
    status: int | None  # None when the connection was dropped or left hanging
    outcome: str  # "answered" | "dropped" | "hung"
    user_id: str = ""
    query: str = ""  # the query string, as received


@dataclass
class RateLimit:
    limit: int
    window_seconds: float
    retry_after: object = True  # True: seconds until a slot frees; a number: that; None/False: no header
    category: str = "write"  # "write" (POST /v5/pins), "read" (other GETs), "org_analytics" or "all"
    message_detail: str | None = None


def _id_counter(start):
    return itertools.count(start + secrets.randbelow(10**6) * 1000)


class StandinState:
    """In-memory Pinterest: see ``pinterest.standin.testing`` for the API as a test uses it."""

    def __init__(
        self,
        *,
        hang_seconds=DEFAULT_HANG_SECONDS,
        app_id=None,
        app_secret=None,
        media_processing_seconds=DEFAULT_MEDIA_PROCESSING_SECONDS,
    ):
        self.lock = threading.RLock()
        self._user_ids = _id_counter(5_100_000_000_000_000_000)
        self._board_ids = _id_counter(1_070_000_000_000_000_000)
        self._pin_ids = _id_counter(1_130_000_000_000_000_000)
        self._section_ids = _id_counter(5_497_000_000_000_000_000)
        self._media_ids = _id_counter(5_212_000_000_000_000_000)
        self.default_hang_seconds = hang_seconds
        self.default_media_processing_seconds = float(media_processing_seconds)
        self.app_id = app_id
        self.app_secret = app_secret
        self.reset()

    # --- lifecycle ------------------------------------------------------------------

    def reset(self):
        """Forget everything: users, tokens, boards, pins, faults, limits, records."""
        with self.lock:
            self.users: dict[str, StandinUser] = {}
            self.tokens: dict[str, Token] = {}
            self.codes: dict[str, dict] = {}
            self.board_map: dict[str, Board] = {}
            self.pin_map: dict[str, dict] = {}
            self.section_map: dict[str, Section] = {}  # in creation order
            self.media_map: dict[str, Media] = {}
            self.upload_faults: deque[UploadFault] = deque()
            self.processing_failures: deque[str] = deque()
            self.media_processing_seconds = self.default_media_processing_seconds
            self.faults: deque[Fault] = deque()
            self.latency_ms = 0
            self.rate_limit: RateLimit | None = None
            self._rate_windows: dict[tuple, deque] = {}
            self.hang_seconds = self.default_hang_seconds
            self.min_image_px = 0
            self.login_user_id: str | None = None
            self.deny_authorize = 0
            self.grant_scope: str | None = None
            self.analytics_today = None  # a datetime.date: "today" for the analytics (None: UTC's)
            self._creations: list[Creation] = []
            self._calls: deque[Call] = deque(maxlen=10_000)

    # --- users and tokens -----------------------------------------------------------

    def create_user(self, username=None, *, user_id=None, account_type="BUSINESS") -> StandinUser:
        with self.lock:
            user_id = str(user_id or next(self._user_ids))
            username = username or f"pinner{len(self.users) + 1}"
            if user_id in self.users or any(u.username == username for u in self.users.values()):
                raise StandinError(f"User {username!r} / {user_id} exists already")
            user = StandinUser(id=user_id, username=username, account_type=account_type)
            self.users[user.id] = user
            return user

    def user(self, ref) -> StandinUser:
        """A user by object, id or username."""
        with self.lock:
            if isinstance(ref, StandinUser):
                ref = ref.id
            ref = str(ref)
            if ref in self.users:
                return self.users[ref]
            for user in self.users.values():
                if user.username == ref:
                    return user
            raise StandinError(f"No stand-in user {ref!r}")

    @property
    def default_user(self) -> StandinUser:
        """Who the authorize page logs in as: ``login_as()``'s choice, else the first user
        (created as "pinner" when there is none)."""
        with self.lock:
            if self.login_user_id:
                return self.users[self.login_user_id]
            if not self.users:
                self.create_user("pinner")
            return next(iter(self.users.values()))

    def login_as(self, user):
        with self.lock:
            self.login_user_id = self.user(user).id if user is not None else None

    def deny_next_authorize(self, count=1):
        """The next ``count`` authorize requests redirect back with ``error=access_denied``."""
        with self.lock:
            self.deny_authorize += int(count)

    def set_grant_scope(self, scope):
        """Grants from now on carry this scope (str or list) instead of echoing the request; None undoes."""
        with self.lock:
            self.grant_scope = _scope_text(scope) if scope is not None else None

    def issue_tokens(
        self,
        user,
        *,
        expires_in=ACCESS_TOKEN_SECONDS,
        refresh_expires_in=REFRESH_TOKEN_SECONDS,
        scope=None,
    ) -> tuple[str, str]:
        """A fresh (access_token, refresh_token) pair for ``user``, as if it had connected."""
        grant = self._grant(
            self.user(user).id,
            _scope_text(scope) if scope is not None else DEFAULT_SCOPE,
            "authorization_code",
            expires_in=expires_in,
            refresh_expires_in=refresh_expires_in,
        )
        return grant["access_token"], grant["refresh_token"]

    def expire_access_token(self, access_token):
        with self.lock:
            self._token(access_token, "access").expires_at = 0

    def revoke_tokens(self, user):
        """Every token of ``user`` stops working (the person disconnected the app)."""
        with self.lock:
            user_id = self.user(user).id
            for token in self.tokens.values():
                if token.user_id == user_id:
                    token.revoked = True

    def _token(self, value, kind) -> Token:
        token = self.tokens.get(value)
        if token is None or token.kind != kind:
            raise StandinError(f"No such {kind} token")
        return token

    def _grant(
        self,
        user_id,
        scope,
        response_type,
        *,
        expires_in=ACCESS_TOKEN_SECONDS,
        refresh_expires_in=REFRESH_TOKEN_SECONDS,
    ) -> dict:
        with self.lock:
            now = time.time()
            access = Token("pina_" + secrets.token_urlsafe(32), "access", user_id, scope, now + expires_in)
            refresh = Token("pinr_" + secrets.token_urlsafe(32), "refresh", user_id, scope, now + refresh_expires_in)
            self.tokens[access.value] = access
            self.tokens[refresh.value] = refresh
            return {
                "access_token": access.value,
                "refresh_token": refresh.value,
                "response_type": response_type,
                "token_type": "bearer",
                "expires_in": int(expires_in),
                "refresh_token_expires_in": int(refresh_expires_in),
                "refresh_token_expires_at": int(refresh.expires_at),
                "scope": scope,
            }

    # --- boards and pins ------------------------------------------------------------

    def add_board(self, user, name, privacy="PUBLIC", *, description="") -> str:
        with self.lock:
            board = Board(
                id=str(next(self._board_ids)),
                owner_id=self.user(user).id,
                name=name,
                privacy=privacy,
                description=description,
            )
            self.board_map[board.id] = board
            return board.id

    def add_boards(self, user, count, *, prefix="Board") -> list[str]:
        with self.lock:
            return [self.add_board(user, f"{prefix} {n}") for n in range(1, int(count) + 1)]

    def remove_board(self, board_id):
        """The board is gone: listing and creating on it answer 404 code 40."""
        with self.lock:
            board = self.board_map.pop(str(board_id), None)
            if board is None:
                raise StandinError(f"No stand-in board {board_id}")
            for pin_id in board.pin_ids:
                self.pin_map.pop(pin_id, None)
            for section in self.board_sections(board.id):
                del self.section_map[section.id]

    def boards(self, user=None) -> list[Board]:
        with self.lock:
            owner = self.user(user).id if user is not None else None
            return [b for b in self.board_map.values() if owner is None or b.owner_id == owner]

    def add_pin(self, board_id, *, created_at=None, **fields) -> dict:
        """Put a pin on a board directly (not through the API, not counted as a creation);
        ``created_at`` (ISO 8601 with an offset) backdates it, for its analytics."""
        with self.lock:
            board = self._board(board_id)
            pin = self._store_pin(board, fields)
            if created_at is not None:
                pin["created_at"] = _utc_iso(created_at)
            return pin

    def remove_pin(self, pin_id):
        """The pin is gone from Pinterest: its analytics answer 404."""
        with self.lock:
            pin = self.pin_map.pop(str(pin_id), None)
            if pin is None:
                raise StandinError(f"No stand-in pin {pin_id}")
            self.board_map[pin["board_id"]].pin_ids.remove(pin["id"])

    def set_analytics_today(self, day=None):
        """The day the analytics take as today (``YYYY-MM-DD`` or a date; None: the UTC date)."""
        with self.lock:
            self.analytics_today = None if day is None else _date(day)

    def pins(self, board_id=None) -> list[dict]:
        """Pins newest first, of one board or of all."""
        with self.lock:
            if board_id is not None:
                return [self.pin_map[p] for p in reversed(self._board(board_id).pin_ids)]
            return list(reversed(self.pin_map.values()))

    # --- board sections -------------------------------------------------------------

    def add_board_section(self, board_id, name) -> str:
        """A new section at the end of the board's sections; returns its id."""
        name = _section_name(name)
        with self.lock:
            board = self._board(board_id)
            section = Section(id=str(next(self._section_ids)), board_id=board.id, name=name)
            self.section_map[section.id] = section
            return section.id

    def rename_board_section(self, section_id, name):
        name = _section_name(name)
        with self.lock:
            self._section(section_id).name = name

    def delete_board_section(self, section_id):
        """The section is gone from Pinterest: no longer listed, and creating in it fails."""
        with self.lock:
            del self.section_map[self._section(section_id).id]

    def board_sections(self, board_id) -> list[Section]:
        with self.lock:
            return [s for s in self.section_map.values() if s.board_id == str(board_id)]

    def _section(self, section_id) -> Section:
        section = self.section_map.get(str(section_id))
        if section is None:
            raise StandinError(f"No stand-in board section {section_id}")
        return section

    # --- media ----------------------------------------------------------------------

    def register_media(self, user, media_type="video") -> Media:
        """What ``POST /v5/media`` does: a media id and the S3-style form fields its upload
        must carry back (``upload_parameters``)."""
        with self.lock:
            user_id = self.user(user).id
            media_id = str(next(self._media_ids))
            now = time.time()
            date = time.strftime("%Y%m%d", time.gmtime(now))
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            policy = {
                "expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)),
                "conditions": [{"bucket": "pinterest-media-upload"}, {"key": f"uploads/standin/{media_id}"}],
            }
            parameters = {
                "Content-Type": "multipart/form-data",
                "key": f"uploads/standin/{user_id}:video:{media_id}",
                "policy": base64.b64encode(json.dumps(policy).encode()).decode(),
                "x-amz-algorithm": "AWS4-HMAC-SHA256",
                "x-amz-credential": f"ASIASTANDIN{secrets.token_hex(5).upper()}/{date}/us-east-1/s3/aws4_request",
                "x-amz-date": stamp,
                "x-amz-security-token": base64.b64encode(secrets.token_bytes(48)).decode(),
                "x-amz-signature": secrets.token_hex(32),
            }
            media = Media(id=media_id, user_id=user_id, media_type=media_type, upload_parameters=parameters)
            self.media_map[media_id] = media
            return media

    def media(self, media_id) -> Media:
        """A registered media by id (``status(time.time())``, ``size``, ``upload_count``, ...)."""
        with self.lock:
            media = self.media_map.get(str(media_id))
            if media is None:
                raise StandinError(f"No stand-in media {media_id}")
            return media

    def media_status(self, media_id) -> str:
        return self.media(media_id).status(time.time())

    def record_upload(self, media_id, *, size, sha256, filename):
        """A complete upload arrived: processing starts (again) now."""
        with self.lock:
            media = self.media(media_id)
            media.uploaded_at = time.time()
            media.processing_seconds = self.media_processing_seconds
            media.failure_reason = self.processing_failures.popleft() if self.processing_failures else None
            media.size, media.sha256, media.filename = size, sha256, filename
            media.upload_count += 1

    def set_media_processing_seconds(self, seconds):
        """How long an uploaded video stays "processing" (applies to uploads from now on)."""
        with self.lock:
            seconds = _float_or_none(seconds)
            if seconds is None or seconds < 0:
                raise StandinError("The processing delay must be a number of seconds >= 0")
            self.media_processing_seconds = seconds

    def fail_next_upload(self, status=403, count=1, *, code=None, message=None):
        """The next ``count`` uploads are refused with ``status`` and an S3 XML error
        (``code``/``message``, or S3's usual ones for 400, 403, 404, 500, 503); nothing is
        stored. ``status="drop"``: the body is read, then the connection is closed
        without an answer (nothing stored)."""
        if status == "drop":
            fault = UploadFault(None)
        else:
            try:
                status = int(status)
            except (TypeError, ValueError):
                raise StandinError(f"An upload fault is an HTTP status or 'drop', not {status!r}") from None
            if not 400 <= status <= 599:
                raise StandinError(f"An upload fault status must be 4xx or 5xx, not {status}")
            default_code, default_message = UPLOAD_FAULT_CODES.get(status, ("InvalidRequest", "Refused."))
            fault = UploadFault(status, code or default_code, message or default_message)
        with self.lock:
            self.upload_faults.extend(fault for _ in range(int(count)))

    def take_upload_fault(self) -> UploadFault | None:
        with self.lock:
            return self.upload_faults.popleft() if self.upload_faults else None

    def fail_next_media_processing(self, reason="The video could not be processed.", count=1):
        """The next ``count`` uploads end their processing as "failed"; ``reason`` is kept on
        the media (Pinterest's Media schema has no field for it) and named by a create that
        uses the media."""
        with self.lock:
            self.processing_failures.extend(str(reason) for _ in range(int(count)))

    def _board(self, board_id) -> Board:
        board = self.board_map.get(str(board_id))
        if board is None:
            raise StandinError(f"No stand-in board {board_id}")
        return board

    def _store_pin(self, board: Board, body: dict) -> dict:
        pin_id = str(next(self._pin_ids))
        owner = self.users[board.owner_id]
        source = body.get("media_source") or {}
        pin = {
            "id": pin_id,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "link": body.get("link"),
            "title": body.get("title"),
            "description": body.get("description"),
            "alt_text": body.get("alt_text"),
            "dominant_color": body.get("dominant_color") or "#6E7874",
            "board_id": board.id,
            "board_section_id": body.get("board_section_id"),
            "board_owner": {"username": owner.username},
            "parent_pin_id": body.get("parent_pin_id"),
            "is_owner": True,
            "is_standard": source.get("is_standard", True),
            "has_been_promoted": False,
            "creative_type": _CREATIVE_TYPES.get(source.get("source_type"), "REGULAR"),
            "pin_metrics": None,
            "media": _pin_media(pin_id, source),
        }
        self.pin_map[pin_id] = pin
        board.pin_ids.append(pin_id)
        return pin

    # --- faults, latency, limits ----------------------------------------------------

    def fail_next(
        self, kind, count=1, *, endpoint="any", retry_after=None, message=None, message_detail=None, hang_seconds=None
    ):
        """Queue ``count`` faults for the next requests to ``endpoint``.

        kind: "400", "401", "403" (code 233), "404" (code 40), "429" (with ``retry_after``
        seconds, or none), "500", "503", "hang", "drop" (close without answering),
        and for create_pin only "drop_after_create", "hang_after_create" and
        "503_after_create" (the pin IS created, then the client gets no answer / a 503).
        endpoint: create_pin, list_boards, list_board_pins, list_board_sections, register_media,
        get_media, user_account, token or any.
        """
        kind = str(kind)
        if kind not in FAULTS:
            raise StandinError(f"Unknown fault kind {kind!r}: one of {', '.join(FAULTS)}")
        if endpoint not in ENDPOINTS:
            raise StandinError(f"Unknown endpoint {endpoint!r}: one of {', '.join(ENDPOINTS)}")
        if kind.endswith("_after_create") and endpoint != "create_pin":
            raise StandinError(f"{kind} only applies to create_pin")
        with self.lock:
            for _ in range(int(count)):
                self.faults.append(
                    Fault(
                        kind,
                        endpoint,
                        _float_or_none(retry_after),
                        message,
                        message_detail,
                        _float_or_none(hang_seconds),
                    )
                )

    def fail_next_creates(
        self, kind, count=1, retry_after=None, *, message=None, message_detail=None, hang_seconds=None
    ):
        """``fail_next(kind, count, endpoint="create_pin", ...)``."""
        self.fail_next(
            kind,
            count,
            endpoint="create_pin",
            retry_after=retry_after,
            message=message,
            message_detail=message_detail,
            hang_seconds=hang_seconds,
        )

    def take_fault(self, endpoint) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.endpoint in (endpoint, "any") and not (
                    fault.endpoint == "any" and fault.kind.endswith("_after_create")
                ):
                    self.faults.remove(fault)
                    return fault
            return None

    def clear_faults(self):
        with self.lock:
            self.faults.clear()
            self.upload_faults.clear()
            self.processing_failures.clear()

    def set_latency(self, ms):
        """Every request waits this long before it is handled."""
        with self.lock:
            self.latency_ms = max(0, float(ms or 0))

    def set_min_image_px(self, pixels):
        """Refuse inline images narrower or shorter than this with 403 code 233, as Pinterest
        refuses images that are too small (0, the default, accepts any size)."""
        with self.lock:
            self.min_image_px = max(0, int(pixels or 0))

    def set_hang_seconds(self, seconds):
        """How long a "hang" fault holds the connection before closing it."""
        with self.lock:
            self.hang_seconds = float(seconds)

    def set_rate_limit(self, limit, window_seconds=60.0, *, retry_after=True, category="write", message_detail=None):
        """At most ``limit`` requests per token per sliding ``window_seconds``; then 429 code 8.

        retry_after: True sends the seconds until a slot frees, a number sends that, None or
        False sends no Retry-After. category: "write" (creates), "read" (GETs) or "all".
        ``limit=None`` removes the limit.
        """
        if category not in ("write", "read", "org_analytics", "all"):
            raise StandinError(f"Unknown rate-limit category {category!r}")
        with self.lock:
            self._rate_windows.clear()
            self.rate_limit = (
                None
                if limit is None
                else RateLimit(int(limit), float(window_seconds), retry_after, category, message_detail)
            )

    def rate_limited(self, token_value, method, now, endpoint="") -> float | bool:
        """False if the request may go ahead (and count it); else the seconds until a slot frees."""
        with self.lock:
            limit = self.rate_limit
            if limit is None:
                return False
            category = "org_analytics" if endpoint in ANALYTICS_ENDPOINTS else "write" if method == "POST" else "read"
            if limit.category not in ("all", category):
                return False
            window = self._rate_windows.setdefault((token_value, limit.category), deque())
            while window and window[0] <= now - limit.window_seconds:
                window.popleft()
            if len(window) >= limit.limit:
                return max(0.0, window[0] + limit.window_seconds - now)
            window.append(now)
            return False

    # --- records --------------------------------------------------------------------

    @staticmethod
    def body_hash(body) -> str:
        """sha256 of the body as normalized JSON (sorted keys): the same dict, the same hash."""
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    @staticmethod
    def token_id(access_token) -> str:
        """A fingerprint of a token, as recorded in ``creations`` (the token itself is not)."""
        return hashlib.sha256(str(access_token).encode()).hexdigest()[:16]

    def record_creation(self, creation: Creation):
        with self.lock:
            self._creations.append(creation)

    def record_call(self, call: Call):
        with self.lock:
            self._calls.append(call)

    @property
    def creations(self) -> list[Creation]:
        with self.lock:
            return list(self._creations)

    @property
    def calls(self) -> list[Call]:
        with self.lock:
            return list(self._calls)

    def created_count(self, board_id=None, *, body=None, body_hash=None) -> int:
        """Pins created through the API, optionally only on one board / with one body."""
        if body is not None:
            body_hash = self.body_hash(body)
        return sum(
            1
            for c in self.creations
            if (board_id is None or c.board_id == str(board_id)) and (body_hash is None or c.body_hash == body_hash)
        )

    def create_times(self, *, user=None, access_token=None) -> list[float]:
        """Stand-in clock times of the creations of one user or one token, in order."""
        user_id = self.user(user).id if user is not None else None
        token_id = self.token_id(access_token) if access_token is not None else None
        return [
            c.time
            for c in self.creations
            if (user_id is None or c.user_id == user_id) and (token_id is None or c.token_id == token_id)
        ]

    def snapshot(self) -> dict:
        """Everything but tokens, as JSON-able data (``GET /_standin/state``)."""
        with self.lock:
            return {
                "users": [asdict(u) for u in self.users.values()],
                "login_user_id": self.login_user_id,
                "boards": [
                    {
                        "id": b.id,
                        "owner_id": b.owner_id,
                        "name": b.name,
                        "privacy": b.privacy,
                        "pin_count": len(b.pin_ids),
                    }
                    for b in self.board_map.values()
                ],
                "sections": [asdict(s) for s in self.section_map.values()],
                "media": [
                    {
                        "media_id": m.id,
                        "user_id": m.user_id,
                        "status": m.status(time.time()),
                        "size": m.size,
                        "sha256": m.sha256,
                        "upload_count": m.upload_count,
                        "failure_reason": m.failure_reason,
                    }
                    for m in self.media_map.values()
                ],
                "media_processing_seconds": self.media_processing_seconds,
                "created_count": len(self._creations),
                "created_by_board": dict(Counter(c.board_id for c in self._creations)),
                "created_by_body": dict(Counter(c.body_hash for c in self._creations)),
                "creations": [asdict(c) for c in self._creations],
                "calls": len(self._calls),
                "pending_faults": [asdict(f) for f in self.faults],
                "latency_ms": self.latency_ms,
                "hang_seconds": self.hang_seconds,
                "rate_limit": asdict(self.rate_limit) if self.rate_limit else None,
                "deny_authorize": self.deny_authorize,
                "grant_scope": self.grant_scope,
            }

    def seed_demo(self, username="demo", boards=("Recipes", "Travel ideas", "Home & garden")) -> StandinUser:
        """A user with a few boards (Recipes with two sections), logged in by the authorize page."""
        with self.lock:
            try:
                user = self.user(username)
            except StandinError:
                user = self.create_user(username)
            existing = {b.name: b.id for b in self.boards(user)}
            for name in boards:
                if name not in existing:
                    existing[name] = self.add_board(user, name)
            for board_name, section_names in DEMO_SECTIONS.items():
                if board_name in existing:
                    have = {s.name for s in self.board_sections(existing[board_name])}
                    for section_name in section_names:
                        if section_name not in have:
                            self.add_board_section(existing[board_name], section_name)
            self.login_as(user)
            return user

    def seed_demo_history(self, username="demo", days=30) -> list[dict]:
        """The demo user's pins of the last ``days`` days, backdated (see ``demo_history``)."""
        with self.lock:
            return demo_history.history_pins(self, username=username, days=days)


DEMO_SECTIONS = {"Recipes": ("Soups", "Desserts")}

_CREATIVE_TYPES = {"video_id": "VIDEO", "multiple_image_urls": "CAROUSEL", "multiple_image_base64": "CAROUSEL"}


_IMAGE_SIZES = (("150x150", 150, 150), ("400x300", 400, 300), ("600x", 600, 600), ("1200x", 1200, 1200))


def _image_sizes(url: str) -> dict:
    return {size: {"width": width, "height": height, "url": url} for size, width, height in _IMAGE_SIZES}


def _pin_media(pin_id: str, source: dict) -> dict:
    """The Pin's ``media`` (PinMedia) for what its media_source was."""
    standin_url = f"https://i.pinimg.com/originals/standin/{pin_id}"
    source_type = source.get("source_type")
    if source_type == "video_id":
        cover = source.get("cover_image_url") or f"{standin_url}.jpg"
        # Width, height and duration are null until Pinterest has processed the pin's video.
        return {
            "media_type": "video",
            "images": _image_sizes(cover),
            "cover_image_url": cover,
            "video_url": None,
            "duration": None,
            "height": None,
            "width": None,
        }
    if source_type in ("multiple_image_urls", "multiple_image_base64"):
        return {
            "media_type": "multiple_images",
            "items": [
                {
                    "item_type": "image",
                    "title": item.get("title"),
                    "description": item.get("description"),
                    "link": item.get("link"),
                    "images": _image_sizes(item.get("url") or f"{standin_url}-{position}.jpg"),
                }
                for position, item in enumerate(source.get("items") or [])
            ],
        }
    return {"media_type": "image", "images": _image_sizes(source.get("url") or f"{standin_url}.jpg")}


def _section_name(name) -> str:
    # BoardSection.name: a string of 1 to 180 characters.
    if not isinstance(name, str) or not 1 <= len(name) <= 180:
        raise StandinError("A board section name is a string of 1 to 180 characters")
    return name


def _scope_text(scope) -> str:
    if isinstance(scope, str):
        return scope
    return ",".join(scope)


def _utc_iso(value) -> str:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise StandinError(f"created_at needs an offset: {value!r}")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _float_or_none(value):
    if value is None or value == "":
        return None
    number = float(value)
    if not math.isfinite(number):
        raise StandinError(f"Not a finite number: {value!r}")
    return number

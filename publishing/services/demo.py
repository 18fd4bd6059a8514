"""Demo data: a tenant whose pins show every outcome within a few minutes.

``demo_seed`` is idempotent: objects are found by name (tenant, user, project,
article url, pin title) and only created when missing, so running it twice
duplicates nothing. ``make run`` seeds with ``reset``: the demo tenant starts over (fresh due
pins, one connection to the fresh stand-in, its boards once), so every start shows everything.
The admin password and the API key are new on every run (they
are printed; keys are stored as hashes, so the previous one cannot be shown again and is
revoked).

With ``history`` (``make run`` passes the stand-in's demo account's past pins, backdated over
the last 30 days) the project also holds those pins as already published, on their boards, so
the analytics sync (run next by ``make run``, against the stand-in) has a month of days to fetch
and the posting-time suggestion has pins published at known weekdays and hours.
"""

import functools
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from apikeys.scopes import ALL_SCOPES
from apikeys.selectors import api_keys_for_tenant
from apikeys.services import api_key_create, api_key_revoke
from pinterest.models import Board, PinterestConnection
from pinterest.services.connect import connection_add_from_token
from publishing.models import (
    BlogArticle,
    BlogProject,
    CarouselItem,
    Membership,
    Pin,
    PinKind,
    PinStatus,
    PublishBatch,
    Tenant,
)
from publishing.selectors import pins_file_names
from publishing.services import content

DEMO_TENANT = "Demo"
DEMO_USERNAME = "demo"
DEMO_PROJECT = "Demo blog"
DEMO_KEY_NAME = "Demo key"
REFUSED_TITLE = "A pin Pinterest refuses (image too small)"
CAROUSEL_TITLE = "Carousel: sourdough step by step"
VIDEO_TITLE = "Video: one-pan lemon pasta in a minute"
#: A 4-second 320x568 H.264 MP4 (20 KB): Pinterest's shortest accepted video length.
DEMO_VIDEO = Path(__file__).resolve().parent / "demo_assets" / "demo-video.mp4"
ARTICLES = [
    ("https://demo-blog.example.com/one-pan-lemon-pasta", "One-pan lemon pasta"),
    ("https://demo-blog.example.com/weekend-in-lisbon", "A weekend in Lisbon"),
    ("https://demo-blog.example.com/balcony-herb-garden", "A balcony herb garden"),
    ("https://demo-blog.example.com/sourdough-for-beginners", "Sourdough for beginners"),
    ("https://demo-blog.example.com/packing-light", "Packing light for two weeks"),
]
COLORS = [(214, 69, 65), (52, 120, 196), (70, 160, 90), (224, 160, 40), (140, 80, 170), (40, 150, 160)]


@dataclass
class DemoSeeded:
    tenant: Tenant
    username: str
    password: str
    api_key: str
    connection: PinterestConnection | None
    pins_created: int
    pins_total: int
    due_pin_ids: list
    refused_pin_id: str
    project_id: int = 0
    history_pins: int = 0


def demo_image(*, title: str, color: tuple[int, int, int], size: tuple[int, int] = (1000, 1500)) -> bytes:
    """A real PNG: a vertical gradient with the pin's title on it."""
    width, height = size
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 4):
        shade = int(80 * y / max(height, 1))
        draw.rectangle([0, y, width, y + 4], fill=tuple(max(0, c - shade) for c in color))
    if width >= 200:
        draw.rectangle([40, height // 2 - 60, width - 40, height // 2 + 60], fill=(255, 255, 255))
        # The text scales with the picture, so a small one (the past pins') looks like a big one.
        draw.text((40 + 20 * width // 1000, height // 2 - 10), title[:60], fill=(30, 30, 30),
                  font_size=min(36, max(12, width * 36 // 1000)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _plan(now: datetime) -> list[tuple[str, int, PinStatus, datetime | None, tuple[int, int]]]:
    """(title, article index, status, scheduled_at, image size) of the 12 demo pins."""
    plan: list[tuple[str, int, PinStatus, datetime | None, tuple[int, int]]] = []
    for i in range(4):
        plan.append((f"Due now #{i + 1}: {ARTICLES[i][1]}", i, PinStatus.READY_TO_SCHEDULE,
                     now - timedelta(minutes=1), (1000, 1500)))
    for i in range(4):
        plan.append((f"Scheduled #{i + 1}: {ARTICLES[(i + 1) % 5][1]}", (i + 1) % 5, PinStatus.READY_TO_SCHEDULE,
                     now + timedelta(seconds=45 * (i + 1)), (1000, 1500)))
    for i in range(3):
        plan.append((f"Draft #{i + 1}: {ARTICLES[(i + 2) % 5][1]}", (i + 2) % 5, PinStatus.DRAFT, None, (1000, 1500)))
    plan.append((REFUSED_TITLE, 4, PinStatus.READY_TO_SCHEDULE, now - timedelta(minutes=1), (60, 60)))
    return plan


def _media_pins(
    *, tenant: Tenant, project: BlogProject, articles: list[BlogArticle], boards: list[Board], now: datetime
) -> Iterator[tuple[Pin, bool]]:
    """A carousel (three same-size steps) and a video pin (the tiny MP4 shipped with the demo, in
    a section of the board when it has one), both due now, made by the content services like
    any pin. Yields (pin, created)."""
    # The board with sections (the stand-in's Recipes has two), so the demo shows one in use.
    board = next((b for b in boards if b.sections.filter(is_archived=False).exists()), boards[0])
    section = board.sections.filter(is_archived=False).order_by("name").first()
    wanted: list[tuple[str, int, dict[str, Any]]] = [
        (CAROUSEL_TITLE, 3, {"carousel": [
            {"image": ContentFile(demo_image(title=f"Step {n}", color=COLORS[n], size=(1000, 1500)),
                                  name=f"step-{n}.png"),
             "title": f"Step {n}", "description": f"Step {n} of the starter"}
            for n in range(1, 4)
        ]}),
        (VIDEO_TITLE, 0, {"video": ContentFile(DEMO_VIDEO.read_bytes(), name="demo-video.mp4"),
                          "cover_key_frame_seconds": 1,
                          "board_section_id": section.pk if section is not None else None}),
    ]
    for title, article_index, media in wanted:
        pin = Pin.objects.filter(project=project, title=title).first()
        if pin is not None:
            yield pin, False
            continue
        pin = content.pin_create(
            tenant=tenant, project_id=project.pk, article_id=articles[article_index].pk, board_id=board.pk,
            title=title, description=f"{ARTICLES[article_index][1]}: read the whole article on the demo blog.",
            scheduled_at=now, **media,
        )
        yield pin, True


def _history_pins(
    *, project: BlogProject, articles: list[BlogArticle], boards: list[Board], history: list[dict[str, Any]]
) -> int:
    """Record the account's past pins (``{"id", "board_id", "created_at"}``, Pinterest's ids and
    times) as the project's published pins, once each; returns how many were new. A pin on a
    board the connection does not have is skipped."""
    by_remote = {board.pinterest_board_id: board for board in boards}
    known = set(Pin.objects.filter(project=project).exclude(pinterest_pin_id="").values_list(
        "pinterest_pin_id", flat=True))
    created = 0
    for index, past in enumerate(history):
        board = by_remote.get(str(past["board_id"]))
        if board is None or str(past["id"]) in known:
            continue
        published = datetime.fromisoformat(past["created_at"])
        article_index = index % len(articles)
        title = f"{ARTICLES[article_index][1]} ({published:%a %H:%M})"
        kind = HISTORY_KINDS.get(past.get("media_type", "image"), PinKind.IMAGE)
        pin = Pin(
            project=project, article=articles[article_index], board=board, title=title, kind=kind,
            description=f"{ARTICLES[article_index][1]}: read the whole article on the demo blog.",
            alt_text=f"Illustration for {ARTICLES[article_index][1]}", status=PinStatus.PUBLISHED,
            scheduled_at=published, published_at=published, pinterest_pin_id=str(past["id"]),
        )
        _history_media(pin, index=index, title=title)
        created += 1
    return created


#: Pinterest's media_type of a past pin -> the kind of pin recorded for it.
HISTORY_KINDS = {"image": PinKind.IMAGE, "video": PinKind.VIDEO, "multiple_images": PinKind.CAROUSEL}


def _history_media(pin: Pin, *, index: int, title: str) -> None:
    """Save the past pin with what its kind shows: small pictures (the planner shows thumbnails,
    and the demo starts quickly), the demo's tiny video with a cover, two carousel steps."""
    def picture(label: str, shade: int = 0) -> ContentFile:
        return ContentFile(demo_image(title=label, color=COLORS[(index + shade) % len(COLORS)], size=(400, 600)))

    name = f"demo-history-{index + 1}"
    if pin.kind == PinKind.VIDEO:
        pin.video.save(f"{name}.mp4", ContentFile(DEMO_VIDEO.read_bytes()), save=False)
        pin.cover_image.save(f"{name}-cover.png", picture(title), save=False)
    elif pin.kind == PinKind.IMAGE:
        pin.image.save(f"{name}.png", picture(title), save=False)
    pin.save()
    if pin.kind == PinKind.CAROUSEL:
        for position in range(2):
            item = CarouselItem(pin=pin, position=position, title=f"Step {position + 1}", width=400, height=600)
            item.image.save(f"{name}-{position + 1}.png", picture(f"{title}: step {position + 1}", position))


def demo_reset(*, tenant: Tenant) -> None:
    """Forget the demo tenant's content and accounts: its pins (and their images), batches,
    projects and Pinterest connections (with their boards). Its users and keys stay. Only
    ever called for the demo tenant: ``make run`` starts a fresh stand-in each time, so the
    demo starts over rather than keep pins and accounts that stand-in never knew."""
    with transaction.atomic():
        pins = Pin.objects.filter(project__tenant=tenant)
        storage = Pin._meta.get_field("image").storage
        images = [(storage, name) for name in pins_file_names(pins=pins)]
        pins.delete()
        PublishBatch.objects.filter(tenant=tenant).delete()
        BlogProject.objects.filter(tenant=tenant).delete()
        PinterestConnection.objects.filter(tenant=tenant).delete()
        for storage, name in images:
            transaction.on_commit(functools.partial(storage.delete, name))


def demo_seed(
    *,
    access_token: str = "",
    refresh_token: str = "",
    now: datetime | None = None,
    reset: bool = False,
    superuser: bool = False,
    history: list[dict[str, Any]] | None = None,
) -> DemoSeeded:
    """Create (or find) the demo tenant, its owner, project, articles and pins, and a new API key
    (the previous demo key is revoked).

    The owner ``demo`` is staff and sees only the demo tenant; with ``superuser`` it is a
    superuser (every tenant). With ``reset`` the demo tenant's content and connections are
    forgotten first (``demo_reset``), so due pins are due again and one connection holds the
    boards once. With ``access_token`` the project is connected to that Pinterest account (the
    stand-in's demo user, or a sandbox token) and its boards are synced; without it the
    pins wait as drafts for a connection made through OAuth. ``history``: the account's past pins
    to record as published (``_history_pins``; only with a connection).
    Raises ConnectError / PinterestError when the token cannot be used.
    """
    now = now or timezone.now()
    User = get_user_model()
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(name=DEMO_TENANT)
        if reset:
            demo_reset(tenant=tenant)
        user, _ = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        Membership.objects.update_or_create(user=user, defaults={"tenant": tenant, "role": Membership.Role.OWNER})
        for stale in api_keys_for_tenant(tenant=tenant).filter(name=DEMO_KEY_NAME, revoked_at__isnull=True):
            api_key_revoke(api_key_id=stale.pk)
        api_key = api_key_create(tenant=tenant, owner=user, name=DEMO_KEY_NAME, scopes=ALL_SCOPES)
        project, _ = BlogProject.objects.get_or_create(tenant=tenant, name=DEMO_PROJECT)
        articles = [
            BlogArticle.objects.get_or_create(project=project, url=url, defaults={"title": title})[0]
            for url, title in ARTICLES
        ]

    connection = None
    if access_token:
        connection = connection_add_from_token(
            tenant=tenant, access_token=access_token, refresh_token=refresh_token, target=project.pk
        ).connection
    boards = list(connection.boards.filter(is_archived=False).order_by("name")) if connection else []

    # The past first, so the pins lists (newest first) open on the demo's pins of today.
    recorded = _history_pins(project=project, articles=articles, boards=boards, history=history or []) if boards else 0
    created = 0
    due, refused = [], ""
    for index, (title, article_index, status, scheduled_at, size) in enumerate(_plan(now)):
        pin = Pin.objects.filter(project=project, title=title).first()
        if pin is None:
            pin = Pin(
                project=project,
                article=articles[article_index],
                board=boards[index % len(boards)] if boards else None,
                title=title,
                description=f"{ARTICLES[article_index][1]}: read the whole article on the demo blog.",
                alt_text=f"Illustration for {ARTICLES[article_index][1]}",
                status=status if boards else PinStatus.DRAFT,
                scheduled_at=scheduled_at,
            )
            pin.image.save(
                f"demo-{index + 1}.png",
                ContentFile(demo_image(title=title, color=COLORS[index % len(COLORS)], size=size)),
                save=False,
            )
            pin.save()
            created += 1
        elif pin.board_id is None and boards:
            Pin.objects.filter(pk=pin.pk, status=PinStatus.DRAFT).update(board=boards[index % len(boards)])
        if title == REFUSED_TITLE:
            refused = str(pin.pk)
        elif title.startswith("Due now"):
            due.append(str(pin.pk))
    if boards:
        for pin, was_created in _media_pins(tenant=tenant, project=project, articles=articles, boards=boards, now=now):
            created += int(was_created)
            due.append(str(pin.pk))
    return DemoSeeded(
        tenant=tenant,
        username=user.username,
        password=password,
        api_key=api_key.key,
        connection=connection,
        pins_created=created,
        pins_total=project.pins.count(),
        due_pin_ids=due,
        refused_pin_id=refused,
        project_id=project.pk,
        history_pins=recorded,
    )

"""Small factories for tests: each makes a valid object with sensible defaults."""

import dataclasses
import io
import itertools
import struct
import zlib

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pinterest.client import ClientConfig
from pinterest.models import Board, PinterestConnection
from pinterest.services.clients import client_config as settings_client_config
from publishing.models import BlogArticle, BlogProject, Membership, Pin, PinStatus, Tenant

_seq = itertools.count(1)


def client_config(**overrides) -> ClientConfig:
    """The configuration production builds from the settings as they are now (so a test's
    settings override reaches it), with ``overrides`` on top (``api_base=...``)."""
    return dataclasses.replace(settings_client_config(), **overrides)


def png_bytes(width=200, height=200, color=(200, 30, 30), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def huge_png_bytes(width=13000, height=13000):
    """A 1-bit PNG of ``width`` x ``height`` written row by row: a small file (about 40 KB for
    13000x13000) holding a huge bitmap, without ever building that bitmap here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xaa" * ((width + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def image_upload(name="pin.png", width=200, height=200, fmt="PNG", content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes(width, height, fmt=fmt), content_type=content_type)


def make_tenant(name=None):
    return Tenant.objects.create(name=name or f"Tenant {next(_seq)}")


def make_user(tenant=None, username=None, role=Membership.Role.OWNER, **extra):
    tenant = tenant or make_tenant()
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password="pw-for-tests-only", **extra
    )
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


def make_connection(tenant=None, **fields):
    n = next(_seq)
    defaults = {
        "tenant": tenant or make_tenant(),
        "pinterest_user_id": str(100000 + n),
        "username": f"account{n}",
        "access_token": f"pina_access_{n}_secret",
        "refresh_token": f"pinr_refresh_{n}_secret",
        "scopes": "boards:read,boards:write,pins:read,pins:write,user_accounts:read",
    }
    defaults.update(fields)
    return PinterestConnection.objects.create(**defaults)


def make_board(connection=None, **fields):
    n = next(_seq)
    defaults = {
        "connection": connection or make_connection(),
        "pinterest_board_id": str(900000 + n),
        "name": f"Board {n}",
        "privacy": "PUBLIC",
    }
    defaults.update(fields)
    return Board.objects.create(**defaults)


def make_project(tenant=None, connection=None, **fields):
    tenant = tenant or (connection.tenant if connection else make_tenant())
    defaults = {"tenant": tenant, "name": f"Project {next(_seq)}", "pinterest_connection": connection}
    defaults.update(fields)
    return BlogProject.objects.create(**defaults)


def make_article(project=None, **fields):
    n = next(_seq)
    defaults = {
        "project": project or make_project(),
        "url": f"https://blog.example.com/articles/{n}",
        "title": f"Article {n}",
    }
    defaults.update(fields)
    return BlogArticle.objects.create(**defaults)


def make_pin(project=None, board=None, article=None, with_image=True, **fields):
    if project is None:
        board = board or make_board()
        project = make_project(tenant=board.connection.tenant, connection=board.connection)
    article = article or make_article(project=project)
    n = next(_seq)
    defaults = {
        "project": project,
        "article": article,
        "board": board,
        "title": f"Pin title {n}",
        "description": f"Pin description {n}",
        "alt_text": f"Alt text {n}",
        "status": PinStatus.READY_TO_SCHEDULE,
    }
    defaults.update(fields)
    pin = Pin(**defaults)
    if with_image and not pin.image_url:
        pin.image.save(f"pin{n}.png", image_upload().file, save=False)
    pin.save()
    return pin


def make_api_key(user=None, *, scopes=None, name=None, **fields):
    """An API key of ``user``'s tenant acting as ``user`` (every scope unless ``scopes``); returns
    ``ApiKeyCreated`` (``.api_key``, the row; ``.key``, the whole key)."""
    from apikeys.scopes import ALL_SCOPES
    from apikeys.services import api_key_create

    user = user or make_user()
    return api_key_create(
        tenant=user.membership.tenant,
        owner=user,
        name=name or f"Key {next(_seq)}",
        scopes=ALL_SCOPES if scopes is None else scopes,
        **fields,
    )


def api_client(user, *, scopes=None):
    """A DRF test client that authenticates as ``user`` with an API key (every scope unless
    ``scopes``)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_key(user, scopes=scopes).key}")
    return client

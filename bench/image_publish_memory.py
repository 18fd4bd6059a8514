#!/usr/bin/env python
"""Memory of publishing the largest images a pin may carry, through the whole engine (not a test).

    .venv/bin/python bench/image_publish_memory.py [--quick] [--only SHAPE ...]

Each shape is an image pin (or a carousel) whose files sit in Django's media storage as an
accepted upload would, published with ``pin_publish`` as a worker does, against the Pinterest
stand-in in a child process; the image goes to Pinterest as bytes (base64 in the create body),
the path that reads them. Every publish runs in a fresh child process, so each peak RSS
(``VmHWM``) is that shape's alone:

- ``png-max-pixels``: a PNG at ``PIN_IMAGE_MAX_PIXELS`` (a small file, a large bitmap);
- ``jpeg-max-bytes``: a JPEG of noise just under the 20 MB an upload may have;
- ``carousel-max``: 5 such JPEGs in one carousel;
- ``webp-max-pixels``, ``gif-max-pixels``: images Pinterest takes only as JPEG or PNG, so they
  are converted (decoded) at publish, at ``PIN_IMAGE_CONVERTED_MAX_PIXELS``;
- ``png-13000``: the 13000x13000 PNG of issue 24 (RGB, 507 KB; 1-bit in ``--quick``, quicker to
  make), stored before the pixel rule existed: it must end in error with a message, undecoded.

A fresh SQLite database and media folder live in a temporary folder. It prints, per shape, the
file sizes, the outcome and the publishing process's peak RSS before and after the publish, and
exits 1 when a shape reaches 150 MB (the target of issue 24). ``--quick`` skips
``gif-max-pixels``, makes the carousel of 4 MB JPEGs (the stand-in is slow to parse five of
20 MB; the publishing side streams them the same) and the 13000x13000 PNG 1-bit, to run in
under 20 s on a quiet 2-core machine. Two publishing processes run at a time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.media_upload_memory import child_peak_rss_mb, free_port, start_standin  # noqa: E402

BOUND_MB = 150
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SHAPES = ("png-max-pixels", "jpeg-max-bytes", "carousel-max", "webp-max-pixels", "gif-max-pixels", "png-13000")
QUICK_SKIPS = {"gif-max-pixels"}
#: The quick run's carousel items: the stand-in takes 10 s to parse five 20 MB images.
QUICK_CAROUSEL_BYTES = 4 * 1024 * 1024


def peak_rss_mb() -> float:
    """This process's peak RSS: ``VmHWM`` (``ru_maxrss`` would carry the parent's peak across exec)."""
    peak = child_peak_rss_mb(os.getpid())
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="The CI run: every shape but the GIF.")
    parser.add_argument("--only", nargs="+", choices=SHAPES, help="Publish only these shapes.")
    parser.add_argument("--publish", help=argparse.SUPPRESS)  # the child: publish this pin, print JSON
    options = parser.parse_args()
    if options.publish:
        return _child(options.publish)
    shapes = options.only or [shape for shape in SHAPES if not (options.quick and shape in QUICK_SKIPS)]
    folder = Path(tempfile.mkdtemp(prefix="pinpublisher-image-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="pinpublisher.settings",
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        MEDIA_ROOT=str(folder / "media"),
        PINTEREST_API_BASE=f"{base}/v5",
        PINTEREST_PUBLISH_INTERVAL_SECONDS="0",
        PINTEREST_READ_TIMEOUT_SECONDS="120",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    standin = start_standin(port)
    over = []
    try:
        control = requests.post(f"{base}/_standin/control", timeout=5, json=[
            {"action": "create_user", "username": "bench"},
            {"action": "issue_tokens", "user": "bench"},
            {"action": "add_board", "user": "bench", "name": "Images"},
        ]).json()
        pins = _pins(access_token=control["result"][1][0], folder=folder, shapes=shapes, quick=options.quick)
        print(f"{'shape':<16} {'files':<22} {'outcome':<58} peak RSS before -> after")
        # Two publishing processes at a time (one per core): each one's peak is its own.
        children = {shape: subprocess.Popen([sys.executable, __file__, "--publish", pins[shape][0]],
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for shape in shapes[:2]}
        for number, shape in enumerate(shapes):
            stdout, stderr = children[shape].communicate(timeout=600)
            if number + 2 < len(shapes):
                following = shapes[number + 2]
                children[following] = subprocess.Popen([sys.executable, __file__, "--publish", pins[following][0]],
                                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if children[shape].returncode != 0:
                sys.exit(f"{shape}: the publishing process failed:\n{stderr[-3000:]}")
            report = json.loads(stdout.strip().splitlines()[-1])
            files = pins[shape][1]
            print(f"{shape:<16} {files:<22} {report['outcome'][:58]:<58} "
                  f"{report['before']:.1f} -> {report['after']:.1f} MB  ({report['seconds']:.1f} s)")
            if report["after"] >= BOUND_MB:
                over.append(shape)
        standin_peak = child_peak_rss_mb(standin.pid)
        if standin_peak is not None:
            print(f"stand-in peak RSS: {standin_peak:.1f} MB")
    finally:
        standin.terminate()
        standin.wait(timeout=10)
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()
    if over:
        sys.exit(f"over the {BOUND_MB} MB target: {', '.join(over)}")


def _child(pin_id: str):
    import django

    django.setup()
    from publishing.engine import pin_publish
    from publishing.models import Pin

    Pin.objects.filter(pk=pin_id).exists()  # the database and the models loaded before "before"
    before = peak_rss_mb()
    started = time.monotonic()
    result = pin_publish(pin_id=pin_id)
    seconds = time.monotonic() - started
    outcome = f"published as {result.pinterest_pin_id}" if result.success else f"error: {result.error}"
    print(json.dumps({"outcome": outcome, "before": before, "after": peak_rss_mb(), "seconds": seconds}))


def _pins(*, access_token: str, folder: Path, shapes: list[str], quick: bool) -> dict[str, tuple[str, str]]:
    """{shape: (pin id, what its files are)}: a tenant, a connection to the stand-in's user
    (boards synced), a project, an article, and one pin per shape whose files are written
    straight into storage, as uploads already accepted would be."""
    from pinterest.services.connect import connection_add_from_token
    from publishing.conf import publishing_settings
    from publishing.models import BlogArticle, BlogProject, CarouselItem, Pin, PinKind, Tenant

    tenant = Tenant.objects.create(name="Bench")
    project = BlogProject.objects.create(tenant=tenant, name="Images")
    connection = connection_add_from_token(tenant=tenant, access_token=access_token, target=project.pk).connection
    article = BlogArticle.objects.create(project=project, url="https://blog.example.com/images")
    board = connection.boards.get()
    media = folder / "media"
    (media / "bench").mkdir(parents=True, exist_ok=True)
    settings_pixels = getattr(publishing_settings, "PIN_IMAGE_MAX_PIXELS", 40_000_000)
    converted_pixels = getattr(publishing_settings, "PIN_IMAGE_CONVERTED_MAX_PIXELS", 2_000_000)
    pins = {}
    for shape in shapes:
        if shape == "png-max-pixels":
            names = [_png(media, "max.png", _sides(settings_pixels))]
        elif shape == "png-13000":
            names = [_png(media, "13000.png", (13000, 13000), bilevel=quick, level=1 if quick else 9)]
        elif shape == "webp-max-pixels":
            names = [_converted_image(media, "max.webp", "WEBP", _sides(converted_pixels))]
        elif shape == "gif-max-pixels":
            names = [_converted_image(media, "max.gif", "GIF", _sides(converted_pixels))]
        elif shape == "jpeg-max-bytes":
            names = [_noise_jpeg(media, MAX_UPLOAD_BYTES)]
        else:
            names = [_noise_jpeg(media, QUICK_CAROUSEL_BYTES if quick else MAX_UPLOAD_BYTES)] * 5
        sizes = [(media / name).stat().st_size for name in names]
        megabytes = sizes[0] / 1024 / 1024
        files = f"{len(names)} x {megabytes:.1f} MB" if len(names) > 1 else f"{megabytes:.2f} MB"
        if shape == "carousel-max":
            pin = Pin.objects.create(project=project, article=article, board=board, kind=PinKind.CAROUSEL,
                                     title=f"Bench {shape}")
            for position, name in enumerate(names):
                CarouselItem.objects.create(pin=pin, position=position, image=name, title=f"Item {position}")
        else:
            pin = Pin.objects.create(project=project, article=article, board=board, title=f"Bench {shape}",
                                     image=names[0])
        pins[shape] = (str(pin.pk), files)
    return pins


def _sides(pixels: int) -> tuple[int, int]:
    """A 2:3 (Pinterest's own) portrait size of at most ``pixels``."""
    width = int((pixels * 2 / 3) ** 0.5)
    return width, pixels // width


def _converted_image(media: Path, name: str, image_format: str, size: tuple[int, int]) -> str:
    """A WebP or GIF of ``size``: what is published only once decoded and converted."""
    from PIL import Image, ImageDraw

    mode = "P" if image_format == "GIF" else "RGB"
    image = Image.new(mode, size, 7 if mode == "P" else (200, 120, 40))
    ImageDraw.Draw(image).rectangle([size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2],
                                    fill=3 if mode == "P" else (20, 60, 200))
    image.save(media / "bench" / name, format=image_format)
    return f"bench/{name}"


def _noise_jpeg(media: Path, limit: int) -> str:
    """A 2:3 JPEG of random pixels (noise does not compress) of 90-100 % of ``limit`` bytes: its
    bytes per pixel are measured on a small tile first, so it is encoded once or twice."""
    from PIL import Image

    def encode(width: int, path: Path | io.BytesIO) -> None:
        height = width * 3 // 2
        noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
        noise.save(path, format="JPEG", quality=95, subsampling=0)

    tile = io.BytesIO()
    encode(400, tile)
    per_pixel = len(tile.getvalue()) / (400 * 600)
    name = f"bench/noise-{limit}.jpg"
    path = media / name
    width = int((limit * 0.95 / per_pixel / 1.5) ** 0.5)
    while not path.exists() or not limit * 0.9 < path.stat().st_size <= limit:
        encode(width, path)
        width = int(width * (limit * 0.95 / path.stat().st_size) ** 0.5)
    return name


def _png(media: Path, name: str, size: tuple[int, int], *, bilevel: bool = False, level: int = 1) -> str:
    """A PNG of ``size`` (RGB with a square in it, or 1-bit), written row by row: Pillow would
    build the whole bitmap first."""
    width, height = size
    path = media / "bench" / name

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    if bilevel:
        header, rows = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0), [b"\xff" * ((width + 7) // 8)] * 2
    else:
        plain, square = b"\xc8\x78\x28" * width, bytearray(b"\xc8\x78\x28" * width)
        square[width // 4 * 3:width // 2 * 3] = b"\x14\x3c\xc8" * (width // 2 - width // 4)
        header, rows = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0), [plain, bytes(square)]
    compressor = zlib.compressobj(level)
    data = bytearray()
    for y in range(height):
        data += compressor.compress(b"\x00" + rows[height // 4 <= y < height // 2])
    data += compressor.flush()
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", bytes(data)) + chunk(b"IEND", b""))
    return f"bench/{name}"


if __name__ == "__main__":
    main()

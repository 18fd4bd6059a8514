#!/usr/bin/env python
"""Memory of publishing a large video pin through the whole engine (not a test).

    .venv/bin/python bench/video_publish_memory.py [--size-mb 1024] [--quick]

Where ``bench/media_upload_memory.py`` measures the client's upload alone, this runs what a
worker runs: ``pin_publish`` of a video pin whose file is ``--size-mb`` MB (sparse, behind
a valid MP4 header) in Django's media storage, against the Pinterest stand-in in a child
process: the claim, ``POST /v5/media``, the streamed upload, ``GET /v5/media/{id}`` until
processed, and the create with ``video_id``. A fresh SQLite database and media folder live
in a temporary folder. It prints the process's peak RSS before and after the publish
(``ru_maxrss``) and exits 1 at 150 MB or more (the target of issue 15).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.media_upload_memory import child_peak_rss_mb, free_port, start_standin  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="Size of the video in MB (default 1024).")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke check for CI: a 256 MB video (over the 150 MB bound if it were ever held whole)")
    options = parser.parse_args()
    if options.quick:
        options.size_mb = 256
    folder = Path(tempfile.mkdtemp(prefix="pinpublisher-video-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    size = options.size_mb * 1024 * 1024
    os.environ.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="pinpublisher.settings",
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        MEDIA_ROOT=str(folder / "media"),
        PINTEREST_API_BASE=f"{base}/v5",
        PINTEREST_PUBLISH_INTERVAL_SECONDS="0",
        PIN_VIDEO_MAX_BYTES=str(size + 1),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    standin = start_standin(port)
    try:
        control = requests.post(f"{base}/_standin/control", timeout=5, json=[
            {"action": "create_user", "username": "bench"},
            {"action": "issue_tokens", "user": "bench"},
            {"action": "add_board", "user": "bench", "name": "Videos"},
            {"action": "set_media_processing_seconds", "seconds": 1},
        ]).json()
        access_token = control["result"][1][0]
        pin_id = _video_pin(access_token=access_token, folder=folder, size=size)

        from publishing.engine import pin_publish

        before = peak_rss_mb()
        started = time.monotonic()
        result = pin_publish(pin_id=pin_id)
        seconds = time.monotonic() - started
        after = peak_rss_mb()
        if not result.success:
            sys.exit(f"The pin was not published: {result.error}")
        media = requests.get(f"{base}/_standin/state", timeout=5).json()["media"]
        received = max(item["size"] or 0 for item in media)
        if received != size:
            sys.exit(f"The stand-in received {received} bytes, not {size}")
        print(f"video pin: {options.size_mb} MB, published as Pinterest pin {result.pinterest_pin_id} "
              f"(register, streamed upload, processing, create)")
        print(f"worker process peak RSS: {before:.1f} MB before the publish, {after:.1f} MB after")
        standin_peak = child_peak_rss_mb(standin.pid)
        if standin_peak is not None:
            print(f"stand-in peak RSS: {standin_peak:.1f} MB")
        print(f"publish: {seconds:.1f} s")
        if after >= 150:
            sys.exit("over the 150 MB target")
    finally:
        standin.terminate()
        standin.wait(timeout=10)
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()


def _video_pin(*, access_token: str, folder: Path, size: int) -> str:
    """A tenant, a connection to the stand-in's user (boards synced), a project, an article and a
    video pin whose file is sparse after a real MP4 header (written straight into storage, as an
    upload already accepted would be)."""
    from pinterest.services.connect import connection_add_from_token
    from publishing.models import BlogArticle, BlogProject, Pin, PinKind, Tenant

    tenant = Tenant.objects.create(name="Bench")
    project = BlogProject.objects.create(tenant=tenant, name="Videos")
    connection = connection_add_from_token(tenant=tenant, access_token=access_token, target=project.pk).connection
    article = BlogArticle.objects.create(project=project, url="https://blog.example.com/video")
    name = "videos/bench/big.mp4"
    path = folder / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.write(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
        file.truncate(size)
    pin = Pin.objects.create(project=project, article=article, board=connection.boards.get(), kind=PinKind.VIDEO,
                             title="A big video", video=name, cover_key_frame_seconds=0)
    return str(pin.pk)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Memory of a large video upload through ``PinterestClient.upload_media`` (not a test).

    .venv/bin/python bench/media_upload_memory.py [--size-mb 1024] [--keep-file] [--quick]

It starts the Pinterest stand-in in a child process (``manage.py run_pinterest_standin``
on a free loopback port), writes a sparse file of ``--size-mb`` MB in a temporary folder,
opens it through Django's ``FileSystemStorage`` (as the publishing engine opens a pin's
video), registers a media (``POST /v5/media``) and uploads the file to the stand-in's
S3-like ``upload_url``, then checks the stand-in received every byte.

It prints the uploading process's peak RSS before and after the upload (``ru_maxrss``),
the stand-in's peak RSS (``VmHWM``), the time and the throughput. The target from issue
15: a 1 GB video keeps the uploading process under 150 MB. See bench/README.md, section
"Media upload memory".
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child_peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def start_standin(port: int) -> subprocess.Popen:
    """The stand-in in a child process on ``port``, answering; exits when it does not start in 10 s."""
    standin = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_pinterest_standin", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/_standin/state", timeout=1)
            return standin
        except requests.ConnectionError:
            time.sleep(0.1)
    standin.terminate()
    sys.exit("The stand-in did not start within 10 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="Size of the video in MB (default 1024).")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke check for CI: a 256 MB video (over the 150 MB bound if it were ever held whole)")
    parser.add_argument("--keep-file", action="store_true", help="Leave the sparse file in the temporary folder.")
    options = parser.parse_args()
    if options.quick:
        options.size_mb = 256

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="pinpublisher.settings",
        PINTEREST_API_BASE=f"{base}/v5",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.storage import FileSystemStorage

    from pinterest.client import PinterestClient
    from pinterest.services.clients import client_config

    standin = start_standin(port)
    folder = tempfile.mkdtemp(prefix="pinpublisher-upload-bench-")
    path = Path(folder) / "big.mp4"
    try:
        control = requests.post(
            f"{base}/_standin/control",
            json=[{"action": "create_user", "username": "bench"}, {"action": "issue_tokens", "user": "bench"}],
            timeout=5,
        ).json()
        access_token = control["result"][1][0]
        size = options.size_mb * 1024 * 1024
        with open(path, "wb") as sparse:
            sparse.truncate(size)

        client = PinterestClient(dataclasses.replace(client_config(), upload_read_timeout=120), access_token)
        media = client.register_media()
        before = peak_rss_mb()
        started = time.monotonic()
        with FileSystemStorage(location=folder).open("big.mp4", "rb") as file:
            client.upload_media(
                upload_url=media["upload_url"],
                upload_parameters=media["upload_parameters"],
                file=file,
                filename="big.mp4",
                content_type="video/mp4",
                size=size,
            )
        seconds = time.monotonic() - started
        after = peak_rss_mb()
        received = next(m for m in requests.get(f"{base}/_standin/state", timeout=5).json()["media"])
        if received["size"] != size:
            sys.exit(f"The stand-in received {received['size']} bytes, not {size}")
        standin_peak = child_peak_rss_mb(standin.pid)
        print(f"video: {options.size_mb} MB ({size} bytes), received in full by the stand-in")
        print(f"uploading process peak RSS: {before:.1f} MB before the upload, {after:.1f} MB after")
        if standin_peak is not None:
            print(f"stand-in peak RSS: {standin_peak:.1f} MB")
        print(f"upload: {seconds:.1f} s, {options.size_mb / seconds:.0f} MB/s")
        if after >= 150:
            sys.exit("over the 150 MB target")
    finally:
        standin.terminate()
        standin.wait(timeout=10)
        if not options.keep_file:
            path.unlink(missing_ok=True)
            os.rmdir(folder)


if __name__ == "__main__":
    main()

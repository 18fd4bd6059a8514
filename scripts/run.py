"""Start pinpublisher on this machine: migrate, then the web server and the django-q2 worker.

Used by `make run`. Ctrl-C (SIGINT) or SIGTERM stops every child process it started.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(*args, **kwargs):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True, **kwargs)


def main():
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    manage("migrate", "--no-input", "-v", "0")
    children = [
        subprocess.Popen([PY, "manage.py", "runserver", f"{host}:{port}", "--noreload"], cwd=ROOT),
        subprocess.Popen([PY, "manage.py", "qcluster"], cwd=ROOT),
    ]
    print(f"\npinpublisher is running: admin at http://{host}:{port}/admin/ , API docs at "
          f"http://{host}:{port}/api/docs/\nCreate a login with: "
          ".venv/bin/python manage.py create_tenant 'My team' --owner me\nCtrl-C stops everything.\n",
          flush=True)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    failed = [child for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0


if __name__ == "__main__":
    sys.exit(main())

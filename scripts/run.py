"""Start pinpublisher on this machine with everything embedded (``make run``).

Steps: migrate, set up the django-q2 schedules, start the local Pinterest stand-in
(unless real Pinterest is configured), load the demo data, then run the web server
and the django-q2 worker side by side until Ctrl-C, which stops all of them (each
child runs in its own process group, and the whole group is stopped).

Each start shows the whole demo: the stand-in starts empty, so the demo tenant starts over
(``seed_demo --reset``: fresh due pins, one connection, its boards once). ``/`` opens the planner
(its login first) on the demo's pins; the admin stays at /admin/. The login is the demo
tenant's owner (staff, sees only that tenant); ``--superuser`` (or ``DEMO_SUPERUSER=1``) makes it
a superuser. ``HOST`` (127.0.0.1), ``PORT`` (8000) and ``STANDIN_PORT`` (8765) choose where the
web server and the stand-in listen. Ctrl-C stops the web server, the worker and the stand-in
within 3 s (each says how it ended).

Real Pinterest instead of the stand-in: set ``PINTEREST_APP_ID`` and
``PINTEREST_APP_SECRET`` (connect through OAuth at /pinterest/connect/), or
``PINTEREST_SANDBOX_TOKEN`` (a token from Pinterest's developer dashboard; the demo
project is connected with it). ``PINTEREST_API_BASE`` chooses production or sandbox.
Emails (to a tenant's owners, when an account needs them) are printed by the process that
sends them: the console email backend, unless ``EMAIL_BACKEND`` is set.

``--check`` is the headless proof: it starts the same processes on a throw-away
SQLite database, waits until the worker's sweep has published the demo's due pins,
checks them through the REST API (published, with Pinterest ids; the refused one in
``error`` with the stand-in's message), signs in to the planner as the demo's owner and sees
``/`` open its pins list with the demo's pins, prints a report and exits 0, or exits 1
saying what did not happen.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
STANDIN_REFUSAL = "Image is too small"
#: The stand-in's demo account has pins created over this many past days, their analytics synced at start.
HISTORY_DAYS = 30
#: The demo's local blog publishes a new post this often (autopilot makes its pins).
BLOG_EVERY_SECONDS = 180
#: Autopilot's demo pins: the check waits for at least this many of them published.
AUTOPILOT_PUBLISHED = 1
#: Ctrl-C stops everything within about this long (then what is left is killed).
STOP_GRACE_SECONDS = 1.0


class Runner:
    def __init__(self, env):
        self.env = env
        self.children = []

    def manage(self, *args, capture=False, env=None):
        result = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})}, check=False, text=True,
            stdout=subprocess.PIPE if capture else None,
        )
        if result.returncode != 0:
            raise SystemExit(f"manage.py {args[0]} failed (exit {result.returncode})")
        return result.stdout

    def start(self, name, *args, quiet=False, command=("manage.py",)):
        out = subprocess.DEVNULL if quiet else None
        child = subprocess.Popen(
            [PY, *command, *args], cwd=ROOT, env=self.env, start_new_session=True, stdout=out, stderr=out
        )
        self.children.append((name, child))
        return child

    def alive(self):
        return all(child.poll() is None for _, child in self.children)

    def stop(self, grace=STOP_GRACE_SECONDS):
        """SIGTERM every child's group, give them ``grace`` seconds together, then SIGKILL what is
        left (a worker still finishing a task: its pin's lease hands it to the next start).
        Prints one line per child saying how it ended."""
        for _, child in self.children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, child in self.children:
            try:
                child.wait(timeout=max(0.05, deadline - time.monotonic()))
                how = "stopped"
            except subprocess.TimeoutExpired:
                how = f"killed after {grace:g} s"
            # Whatever is left of the group (a worker's processes, one that ignored SIGTERM) is killed.
            _signal_group(child, signal.SIGKILL)
            if child.poll() is None:
                child.wait()
            print(f"{name} (pid {child.pid}) {how}", flush=True)
        return [(name, child.pid) for name, child in self.children]


def _signal_group(child, sig):
    _signal_group_id(child.pid, sig)


def _signal_group_id(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def free_port(host):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return str(sock.getsockname()[1])


def leftover_processes(stopped, wait=10.0):
    """Live processes (zombies excluded) left in the children's process groups, after giving
    killed ones up to ``wait`` seconds to be gone."""
    groups = {pid: name for name, pid in stopped}
    deadline = time.monotonic() + wait
    while True:
        table = subprocess.run(["ps", "-e", "-o", "pid=,pgid=,stat="], capture_output=True, text=True).stdout
        leftover = [
            f"{groups[int(pgid)]}:{pid}"
            for pid, pgid, stat in (line.split()[:3] for line in table.splitlines() if line.strip())
            if int(pgid) in groups and not stat.startswith("Z")
        ]
        if not leftover or time.monotonic() > deadline:
            return leftover
        for pgid in groups:
            _signal_group_id(pgid, signal.SIGKILL)
        time.sleep(0.2)


def http_json(url, *, data=None, token=None, timeout=5):
    request = urllib.request.Request(url, data=json.dumps(data).encode() if data is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.2)
    return False


def planner_check(base, username, password):
    """Sign in to the planner as the demo's owner, then open the root: it must be the planner's pins
    list showing the demo's pins. Returns the number of pins shown and what went wrong."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = f"{base}/planner/login/"
    with browser.open(login, timeout=10) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    if token is None:
        return 0, ["the planner's login page has no form"]
    form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password})
    browser.open(urllib.request.Request(login, data=form.encode(), headers={"Referer": login}), timeout=10).close()
    with browser.open(f"{base}/", timeout=10) as response:
        landed, page = response.geturl(), response.read().decode()
    shown = page.count('class="pl-pin-card"')
    problems = [] if landed == f"{base}/planner/pins/" else [f"/ led the demo's owner to {landed}, not the planner"]
    return shown, problems + ([] if shown else ["the planner shows none of the demo's pins"])


def check(base, token, seeded, timeout):
    """Poll the REST API until the due pins are published and the refused one is error."""
    watched = seeded["due_pin_ids"] + [seeded["refused_pin_id"]]
    deadline = time.monotonic() + timeout
    pins = {}
    while time.monotonic() < deadline:
        pins = {pin_id: http_json(f"{base}/api/pins/{pin_id}/", token=token) for pin_id in watched}
        if all(pin["status"] in ("published", "error") for pin in pins.values()):
            break
        time.sleep(1)
    problems = []
    for pin_id in seeded["due_pin_ids"]:
        pin = pins.get(pin_id, {})
        if pin.get("status") != "published" or not str(pin.get("pinterest_pin_id") or "").isdigit():
            problems.append(f"due pin {pin_id} is '{pin.get('status')}' ({pin.get('error_message') or 'no error'})")
    refused = pins.get(seeded["refused_pin_id"], {})
    if refused.get("status") != "error" or STANDIN_REFUSAL not in (refused.get("error_message") or ""):
        problems.append(
            f"the refused pin is '{refused.get('status')}' with message {refused.get('error_message')!r}, "
            f"expected 'error' with the stand-in's \"{STANDIN_REFUSAL}\""
        )
    return pins, problems


def autopilot_check(base, token, seeded, timeout):
    """Wait until autopilot made designed pins of the local blog's posts and the sweep published at
    least ``AUTOPILOT_PUBLISHED`` of them. Returns (the status, what went wrong)."""
    deadline = time.monotonic() + timeout
    status = {}
    while time.monotonic() < deadline:
        status = http_json(f"{base}/api/projects/{seeded['project_id']}/autopilot/", token=token)["made"]
        if status["published"] >= AUTOPILOT_PUBLISHED:
            return status, []
        time.sleep(2)
    return status, [f"autopilot: {status} after {timeout:.0f} s, expected {AUTOPILOT_PUBLISHED} published"]


def analytics_check(base, token, seeded):
    """The demo project's analytics through the REST API: ``HISTORY_DAYS`` days of numbers and a
    posting-time suggestion. Returns (days with numbers, the suggested cells, what went wrong)."""
    if not seeded.get("history_pins"):
        return 0, [], ["the demo has no past pins (no connection to the stand-in?)"]
    project = seeded["project_id"]
    page = http_json(f"{base}/api/projects/{project}/analytics/", token=token)
    days = sum(1 for day in page["per_day"] if day["impressions"])
    times = http_json(f"{base}/api/projects/{project}/posting-times/", token=token)
    suggested = [f"{cell['weekday']} {cell['time']} ({cell['pins']} pins)" for cell in times["suggested"]]
    problems = [] if days >= HISTORY_DAYS - 2 else [f"the analytics show {days} days, expected {HISTORY_DAYS}"]
    return days, suggested, problems + ([] if suggested else ["no posting-time suggestion"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="Headless: prove the service publishes, then exit.")
    parser.add_argument("--timeout", type=float, default=180, help="--check gives up after this many seconds.")
    parser.add_argument(
        "--superuser", action="store_true", default=os.environ.get("DEMO_SUPERUSER", "") not in ("", "0"),
        help="Log in as a superuser (every tenant) instead of the demo tenant's owner (also DEMO_SUPERUSER=1).",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    host = env.get("HOST", "127.0.0.1")
    # The headless check takes free ports, so it never collides with a running service.
    port = env.get("PORT") or (free_port(host) if args.check else "8000")
    standin_port = env.get("STANDIN_PORT") or (free_port(host) if args.check else "8765")
    base = f"http://{host}:{port}"
    real = bool(env.get("PINTEREST_SANDBOX_TOKEN")) or bool(
        env.get("PINTEREST_APP_ID") and env.get("PINTEREST_APP_SECRET")
    )
    # The demo sweeps every minute and paces creates 1 s apart, so pins visibly publish
    # while you watch; production defaults stay 15 minutes and 10 s.
    env.setdefault("PUBLISH_SWEEP_MINUTES", "1")
    env.setdefault("PINTEREST_PUBLISH_INTERVAL_SECONDS", "1" if not real else "10")
    env.setdefault("Q_WORKERS", "2")
    env.setdefault("Q_POLL_SECONDS", "0.5")
    # The demo's blog is polled every minute (production: 30), so its new posts' pins come quickly.
    env.setdefault("FEEDS_POLL_MINUTES", "1")
    blog_port = env.get("BLOG_PORT") or (free_port(host) if args.check else "8766")
    blog = f"http://127.0.0.1:{blog_port}"
    # Emails to the owners (an account that needs them) are printed by whichever process sends them.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    if args.check:
        scratch = Path(tempfile.mkdtemp(prefix="pinpublisher-check-"))
        env.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'db.sqlite3'}")
        env.setdefault("MEDIA_ROOT", str(scratch / "media"))
    if not real:
        standin = f"http://{host}:{standin_port}"
        env["PINTEREST_API_BASE"] = f"{standin}/v5"
        env["PINTEREST_OAUTH_AUTHORIZE_URL"] = f"{standin}/oauth/"
        env.setdefault("PINTEREST_APP_ID", "1234567890")
        env.setdefault("PINTEREST_APP_SECRET", "demo-app-secret")
        env.setdefault("PINTEREST_REDIRECT_URI", f"{base}/pinterest/callback/")
        # The admin links each published pin to the stand-in's page of it too (its stored URL stays Pinterest's).
        env.setdefault("PINTEREST_STANDIN_PIN_PAGE", f"{standin}/_standin/pins/{{pin_id}}/")

    runner = Runner(env)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    try:
        runner.manage("migrate", "--no-input", "-v", "0")
        # Shown once (by migrate): the processes started next would each repeat it.
        runner.env["SILENCED_SYSTEM_CHECKS"] = ",".join(
            filter(None, [env.get("SILENCED_SYSTEM_CHECKS", ""), "pinpublisher.W001"])
        )
        runner.manage("setup_schedules")
        # The stand-in starts empty: the demo tenant starts over too (fresh due pins, one connection).
        # Never against real Pinterest: the demo tenant's account and its pins' records are real there.
        seed_args = (["seed_demo", "--json"] + ([] if real else ["--reset"])
                     + (["--superuser"] if args.superuser else []))
        if not real:
            runner.start("stand-in", "run_pinterest_standin", "--port", standin_port, "--seed-demo",
                         "--min-image-px", "100", quiet=args.check)
            if not wait_for(f"{standin}/_standin/state"):
                raise SystemExit("the Pinterest stand-in did not start")
            access, refresh = http_json(
                f"{standin}/_standin/control", data={"action": "issue_tokens", "user": "demo"}
            )["result"]
            runner.env["DEMO_PINTEREST_TOKEN"], runner.env["DEMO_PINTEREST_REFRESH_TOKEN"] = access, refresh
            seed_args += ["--token-env", "DEMO_PINTEREST_TOKEN", "--refresh-token-env", "DEMO_PINTEREST_REFRESH_TOKEN"]
            # The demo account's last 30 days on the stand-in: pins created then, recorded by the seed as published.
            history = http_json(f"{standin}/_standin/control", data={
                "action": "seed_demo_history", "username": "demo", "days": HISTORY_DAYS})["result"]
            history_file = Path(tempfile.mkdtemp(prefix="pinpublisher-demo-")) / "history.json"
            history_file.write_text(json.dumps(history))
            seed_args += ["--history-json", str(history_file)]
        elif env.get("PINTEREST_SANDBOX_TOKEN"):
            seed_args += ["--token-env", "PINTEREST_SANDBOX_TOKEN"]
        seeded = json.loads(runner.manage(*seed_args, capture=True))
        if seeded.get("history_pins") and seeded.get("connection_id"):
            # The analytics of those 30 days, fetched from the stand-in by the real sync (the daily job's).
            synced = runner.manage("sync_analytics", "--connection", str(seeded["connection_id"]), capture=True,
                                   env={"LOG_LEVEL": "WARNING"})  # one line for the sync, not one per pin
            print(f"analytics: {synced.splitlines()[0] if synced else 'not synced'}", flush=True)
        # The local blog (feed, pages, images), a new post every few minutes; autopilot on for the demo
        # project before the feed's first poll, so its posts so far become designed pins too.
        runner.start("blog", "--port", blog_port, "--blogs", "1", "--posts", "2", "--publish-every",
                     str(BLOG_EVERY_SECONDS), quiet=args.check, command=("-m", "feeds.devserver"))
        if not wait_for(f"{blog}/b0/feed.rss"):
            raise SystemExit("the local blog did not start")
        runner.manage("demo_autopilot", "--feed-url", f"{blog}/b0/feed.rss", capture=True)
        runner.start("web", "runserver", f"{host}:{port}", "--noreload", quiet=args.check)
        runner.start("worker", "qcluster", quiet=args.check)
        # The scheduler looks every 30 s; queue the first sweep now so the due pins go at once.
        runner.manage("publish_due", "--enqueue", capture=True)
        if not wait_for(f"{base}/admin/login/"):
            raise SystemExit("the web server did not start")
        print(
            f"\npinpublisher is running ({'real Pinterest' if real else 'the local Pinterest stand-in'}).\n"
            f"  planner:   {base}/   login {seeded['username']} / {seeded['password']}"
            f"   ({'superuser' if args.superuser else 'owner of the Demo tenant'}; the demo's pins)\n"
            f"  analytics: {base}/planner/analytics/   (30 days of the demo's past pins, best times to post)\n"
            f"  blog:      {blog}/b0/feed.rss   (a new post every {BLOG_EVERY_SECONDS // 60} minutes; autopilot "
            f"queues 2 designed pins of each, a minute apart)\n"
            f"  admin:     {base}/admin/   (operators; the same login)\n"
            f"  API docs:  {base}/api/docs/\n"
            f"  API key:   {seeded['api_key']}   (new on every start; the previous one is revoked)\n"
            f"  try:       curl -H 'Authorization: Token {seeded['api_key']}' {base}/api/pins/\n"
            + ("" if args.check else "Due demo pins publish within a minute, scheduled ones over the next "
               "three. Ctrl-C stops everything.\n"),
            flush=True,
        )
        if args.check:
            pins, problems = check(base, seeded["api_key"], seeded, args.timeout)
            shown, planner_problems = planner_check(base, seeded["username"], seeded["password"])
            problems += planner_problems
            days, suggested, analytics_problems = analytics_check(base, seeded["api_key"], seeded)
            problems += analytics_problems
            left = max(30.0, args.timeout - (time.monotonic() - started))
            autopilot, autopilot_problems = autopilot_check(base, seeded["api_key"], seeded, left)
            problems += autopilot_problems
            elapsed = time.monotonic() - started
            print("check report:")
            for pin_id, pin in pins.items():
                detail = pin.get("pinterest_pin_id") or pin.get("error_message")
                print(f"  {pin_id}  {pin.get('status'):<10} {detail}")
            if problems:
                listing = "\n  - ".join(problems)
                print(f"CHECK FAILED after {elapsed:.0f} s:\n  - {listing}")
                return 1
            print(f"CHECK PASSED in {elapsed:.0f} s: {len(seeded['due_pin_ids'])} due pins published by the "
                  f"worker, the refused pin reported with Pinterest's message; / opens the planner on the "
                  f"demo's {shown} pins; analytics of {days} days, suggested: {', '.join(suggested)}; autopilot: "
                  f"{autopilot['pins']} designed pins of {autopilot['runs_done']} blog posts, "
                  f"{autopilot['published']} published.")
            return 0
        while not stopping and runner.alive():
            time.sleep(0.2)
        if not stopping:
            dead = [name for name, child in runner.children if child.poll() is not None]
            print(f"stopping: {', '.join(dead)} exited", file=sys.stderr)
            return 1
        return 0
    finally:
        stopped = runner.stop()
        if stopped:
            orphans = leftover_processes(stopped)
            if orphans:
                print(f"LEFT RUNNING: {orphans}", file=sys.stderr, flush=True)
                os._exit(1)


if __name__ == "__main__":
    sys.exit(main())

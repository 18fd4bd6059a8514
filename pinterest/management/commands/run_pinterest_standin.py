"""Run the local Pinterest stand-in in the foreground (for the demo and manual testing)."""

import re
import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pinterest.standin.server import Standin

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*([smh]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_rate_limit(text: str | None) -> tuple[int, float]:
    """``"10/60"``, ``"10/60s"``, ``"100/1h"``, ``"5/m"`` -> (limit, window seconds)."""
    match = _RATE.match(text or "")
    if not match:
        raise CommandError(f"--rate-limit must look like N/SECONDS (e.g. 10/60, 100/1h), not {text!r}")
    limit, amount, unit = match.groups()
    window = float(amount or 1) * _UNIT_SECONDS[unit]
    if int(limit) < 1 or window <= 0:
        raise CommandError("--rate-limit needs at least 1 request per a positive window")
    return int(limit), window


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Run a local Pinterest API v5 stand-in (OAuth, user account, boards, pins) until Ctrl-C. "
        "Point PINTEREST_API_BASE and PINTEREST_OAUTH_AUTHORIZE_URL at it. Control it at run time "
        "with POST /_standin/control and read it with GET /_standin/state."
    )
    # A test and demo tool: it uses no database and none of the production settings the
    # system checks guard, so it starts even where those are not set.
    requires_system_checks = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8765, help="Port (default 8765; 0 picks a free one).")
        parser.add_argument("--latency-ms", type=float, default=0, help="Delay before every answer.")
        parser.add_argument(
            "--rate-limit",
            metavar="N/WINDOW",
            help="Per-token limit on creates, e.g. 10/60 (10 per 60 s), 100/1h; then 429 code 8.",
        )
        parser.add_argument(
            "--rate-limit-category",
            choices=("write", "read", "all"),
            default="write",
            help="Which requests the rate limit counts (default: write = creates).",
        )
        parser.add_argument("--no-retry-after", action="store_true", help="Send 429s without a Retry-After header.")
        parser.add_argument("--hang-seconds", type=float, default=35.0, help="How long a 'hang' fault holds a request.")
        parser.add_argument(
            "--seed-demo",
            action="store_true",
            help="Create the user 'demo' with a few boards; the authorize page logs in as it.",
        )
        parser.add_argument(
            "--min-image-px",
            type=int,
            default=0,
            help="Refuse inline images smaller than this (403 code 233, image too small); 0 accepts any.",
        )
        parser.add_argument("--demo-username", default="demo", help="Username of the --seed-demo user (default demo).")

    def handle(self, *args: Any, **options: Any) -> None:
        limit, window = (None, 60.0)
        if options["rate_limit"]:
            limit, window = parse_rate_limit(options["rate_limit"])
        standin = Standin(
            host=options["host"],
            port=options["port"],
            latency_ms=options["latency_ms"],
            rate_limit=limit,
            rate_limit_window_seconds=window,
            retry_after=not options["no_retry_after"],
            rate_limit_category=options["rate_limit_category"],
            hang_seconds=options["hang_seconds"],
        )
        try:
            standin.bind()
        except OSError as err:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {err}") from err
        standin.set_min_image_px(options["min_image_px"])
        if options["seed_demo"]:
            user = standin.seed_demo(options["demo_username"])
            self.stdout.write(f"Demo user @{user.username} (id {user.id}), boards:")
            for board in standin.boards(user):
                self.stdout.write(f"  {board.id}  {board.name}")
        self.stdout.write(self.style.SUCCESS(f"Pinterest stand-in listening on {standin.base_url}"))
        self.stdout.write(f"  PINTEREST_API_BASE={standin.api_base}")
        self.stdout.write(f"  PINTEREST_OAUTH_AUTHORIZE_URL={standin.authorize_url}")
        self.stdout.write(f"  control: POST {standin.control_url}   state: GET {standin.state_url}")
        if limit:
            self.stdout.write(
                f"  rate limit: {limit} {options['rate_limit_category']} requests per {window:g} s per token"
                f"{'' if not options['no_retry_after'] else ', no Retry-After'}"
            )
        self.stdout.write("Quit with Ctrl-C.")
        # A demo script stops it with SIGTERM: end as cleanly as on Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

"""Reading the environment for ``pinpublisher.settings``: typed readers of variables and
``DATABASE_URL`` turned into a DATABASES entry. Nothing here reads Django's settings (they are
being made from this); a bad value raises ImproperlyConfigured naming the variable.
"""

import os
import re
from pathlib import Path
from typing import Any, overload
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


# A default given makes the value definite; a default of None (unset: the app's conf.py decides)
# leaves it optional.
@overload
def env_bool(name: str, default: bool = False) -> bool: ...
@overload
def env_bool(name: str, default: None) -> bool | None: ...
def env_bool(name: str, default: bool | None = False) -> bool | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


@overload
def env_float(name: str, default: float) -> float: ...
@overload
def env_float(name: str, default: None) -> float | None: ...
def env_float(name: str, default: float | None) -> float | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, not {value!r}")
    return number


@overload
def env_int(name: str, default: int) -> int: ...
@overload
def env_int(name: str, default: None) -> int | None: ...
def env_int(name: str, default: int | None) -> int | None:
    number = env_float(name, default)
    if number is None:
        return None
    if number != int(number):
        raise ImproperlyConfigured(f"{name} must be a whole number, not {number!r}")
    return int(number)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_header(name: str) -> tuple[str, str] | None:
    """``HTTP_X_FORWARDED_PROTO,https`` -> ``("HTTP_X_FORWARDED_PROTO", "https")``; unset -> None."""
    items = env_list(name)
    if not items:
        return None
    if len(items) != 2 or not re.fullmatch(r"HTTP_[A-Z0-9_]+", items[0]):
        raise ImproperlyConfigured(
            f"{name} must be a request.META header name and a value, e.g. HTTP_X_FORWARDED_PROTO,https, "
            f"not {env_str(name)!r}"
        )
    return items[0], items[1]


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///db.sqlite3 is relative to the repository; sqlite:////abs/path is absolute.
        name = path[1:]
        if name and not Path(name).is_absolute():
            name = str(BASE_DIR / name)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {
                # The web server and the worker share one file: wait for locks, and take the
                # write lock at BEGIN so a read-then-write transaction never deadlocks.
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            # Kept open between requests and tasks: with 0, django-q2's ORM broker, which closes
            # old connections before every poll, reconnected on each (0.93 new sessions per
            # published pin in bench/cost_bench.py, 0.13 at 60). Checked before reuse.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres://, not {parts.scheme or url!r}://"
    )

"""What a log line knows beyond its message: the request, the tenant, the pin, the connection.

Four context variables hold them (``contextvars``, so each thread and each request has its own):
the request middleware (``ops.middleware``) sets the request id and clears them all when the
request ends, the API sets the tenant once it has authenticated the caller
(``pinpublisher.api.views.TenantApi``), and the engine sets the pin, the connection and the
tenant around one pin's publish (``publishing.engine.create._publish_checked``).

``ContextFilter`` copies them onto every record (``request_id``, ``tenant``, ``pin``,
``connection``; ``"-"`` when unknown), so both formats can name them: the plain one
(``LOG_FORMAT=plain``, the default) and ``JsonFormatter`` (``LOG_FORMAT=json``), one JSON object
per line for a log shipper.

No secret reaches a log through here: the fields are ids, never tokens or keys, and nothing
in the service logs request headers or bodies (``tests/ops/test_logs.py`` proves it over a
publish, a token refresh, an API key's use and a webhook delivery, in both formats).
"""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

FIELDS = ("request_id", "tenant", "pin", "connection")

_vars: dict[str, ContextVar[str | None]] = {name: ContextVar(f"log_{name}", default=None) for name in FIELDS}


def bind(**fields: object) -> None:
    """Set some of ``FIELDS`` for the rest of this context (until ``clear``); None leaves one as it is."""
    for name, value in fields.items():
        if value is not None:
            _vars[name].set(str(value))


def clear() -> None:
    """Forget every field (a request's end: the thread serves another next)."""
    for var in _vars.values():
        var.set(None)


@contextmanager
def bound(**fields: object) -> Iterator[None]:
    """``bind`` for the length of a block, then each field as it was before."""
    tokens = [(_vars[name], _vars[name].set(str(value))) for name, value in fields.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current() -> dict[str, str]:
    """The fields known now (the unknown ones left out)."""
    return {name: value for name, var in _vars.items() if (value := var.get()) is not None}


class ContextFilter(logging.Filter):
    """Puts the context's fields on every record (``"-"`` for one not known), for the formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _vars.items():
            if not hasattr(record, name):
                setattr(record, name, var.get() or "-")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context's
    known fields, and the exception's traceback as ``exc_info`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is None:
                value = _vars[name].get()
            if value not in (None, "-"):
                line[name] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


#: The plain format: the context's fields in brackets after the logger's name.
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

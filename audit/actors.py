"""Who is acting: a person, an API key (named by its prefix) or a job, held in context variables.

- A request binds itself (``AuditActorMiddleware``); the actor is read from it when an event is
  recorded, so the API's authentication, which runs in the view after every middleware, is seen:
  a request authenticated by an API key is that key (and its owner), else the signed-in person.
- A django-q2 task is the job named by its function (``django_q.signals.pre_execute``), a
  management command the job ``manage.py <name>`` (``audit.apps``); code may also say
  ``with acting_as_job("name")`` itself.
- A thread a job starts (the publisher's pool of callers) has none of its context variables: it
  acts as the job the process runs (``process_wide``: a task, a command), never as a request.
- Nothing bound: the explicit ``UNKNOWN`` actor, which ``AUDIT_REFUSE_UNKNOWN_ACTOR`` refuses.

The request wins over a job: a command's test client or a task started in a request never hides
the person. Imports no app: a key is recognised by its ``prefix`` attribute.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pinpublisher import logs

PERSON = "person"
API_KEY = "api_key"
JOB = "job"
UNKNOWN_KIND = "unknown"


@dataclass(frozen=True)
class Actor:
    kind: str
    label: str
    user: Any = None  # the acting user (a key's owner), or None


UNKNOWN = Actor(kind=UNKNOWN_KIND, label="unknown")

_request: ContextVar[Any] = ContextVar("audit_request", default=None)
_job: ContextVar[str | None] = ContextVar("audit_job", default=None)
#: The job this process runs, for the threads it starts (which see no context variable of it).
_process_job: str | None = None


@contextmanager
def acting_for_request(request: Any) -> Iterator[None]:
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def acting_as_job(name: str, *, process_wide: bool = False) -> Iterator[None]:
    """Act as the job ``name`` in this context; ``process_wide`` also in the threads it starts."""
    global _process_job
    token, previous = _job.set(name), _process_job
    if process_wide:
        _process_job = name
    try:
        yield
    finally:
        _job.reset(token)
        _process_job = previous


@contextmanager
def acting_as_person(user: Any) -> Iterator[None]:
    """Act as ``user`` though the request is not (yet) theirs: an invitee whose account the
    request that accepts the invitation creates."""
    with acting_for_request(_SignedIn(user=user)):
        yield


@dataclass(frozen=True)
class _SignedIn:
    user: Any
    auth: Any = None


def job_begins(name: str) -> None:
    """A worker's next task is ``name`` until the following one begins (django-q2 runs one at a
    time), in the threads it starts too."""
    global _process_job
    _job.set(name)
    _process_job = name


def _request_actor(request: Any) -> Actor | None:
    auth = getattr(request, "auth", None)
    user = getattr(request, "user", None)
    prefix = getattr(auth, "prefix", None)
    if prefix:
        return Actor(kind=API_KEY, label=str(prefix), user=user if getattr(user, "pk", None) else None)
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(kind=PERSON, label=user.get_username(), user=user)
    return None


def current_actor() -> Actor:
    request = _request.get()
    if request is not None:
        actor = _request_actor(request)
        if actor is not None:
            return actor
    # A request nobody signed in to is no job's, even in a process a command started (runserver).
    job = _job.get() or (_process_job if request is None else None)
    if job:
        return Actor(kind=JOB, label=job)
    return UNKNOWN


def current_request_id() -> str:
    return logs.current().get("request_id", "") or ""

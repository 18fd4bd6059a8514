"""Who acts: the person whose request is being served, for the rules that depend on who asks
(issue 29: an editor's schedule, queue or publish waits for an owner's approval).

Every way in (the API, with a session or an API key, the admin's forms and actions, the planner,
the CSV import) reaches the schedule through many services. Rather than a ``by=`` argument on each
of them, which one forgotten call site would turn into a silent way around the review,
``ActingPersonMiddleware`` remembers the request, and ``person()`` reads its user when asked, so
it is the session's user or, once DRF has authenticated a key, the key's owner (DRF sets the key's
owner on the Django request). Outside a request (commands, tasks, the engine's threads) nobody
acts: the schedule and the sweep are not people and need no approval. Tests and commands that act
for a person say so with ``acting_as``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("acting_request", default=None)
_person: ContextVar[Any] = ContextVar("acting_person", default=None)


def person() -> Any:
    """The user acting now (authenticated), or None when nobody does."""
    chosen = _person.get()
    if chosen is not None:
        return chosen
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Act for ``user`` inside the block (a test, a command acting for a person)."""
    token = _person.set(user)
    try:
        yield
    finally:
        _person.reset(token)


class ActingPersonMiddleware:
    """Remembers the request being served, so ``person()`` can read its user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

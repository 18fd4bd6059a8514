"""Reading a request's input: nothing sent is silently dropped.

``parse`` validates a body with an input serializer and refuses, by name, every field it does
not take (read-only ones with what to do instead, ``ReadOnlyFields``); ``no_input`` marks a
handler that takes no body at all. What the bytes may be is ``parsers``' job, before this.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Collection
from typing import TypeVar

from django.http import QueryDict
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

Handler = TypeVar("Handler", bound=Callable[..., object])


def no_input(handler: Handler) -> Handler:
    """Marks a write handler that takes no input (publish, unschedule, refresh, ...): a body with
    fields is refused, naming each, rather than ignored. DELETE handlers take none either."""
    handler.takes_no_input = True  # type: ignore[attr-defined]  # a mark on a function: no type declares it
    return handler


def refuse_a_body_where_none_is_taken(view: APIView, request: Request) -> None:
    """A 400 naming each field of a body sent to a handler that takes none (``no_input``, or a
    DELETE). Called once authentication and scopes have passed."""
    handler = getattr(view, request.method.lower(), None)
    if handler is None or not (request.method == "DELETE" or getattr(handler, "takes_no_input", False)):
        return
    data = request.data
    if not hasattr(data, "keys"):
        # A JSON value that is not an object (null, a list, a number): no field could be meant.
        raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
            f"This endpoint takes no input: send no body, not JSON {json.dumps(data)[:40]}."
        ]})
    names = list(data.keys())
    if names:
        raise exceptions.ValidationError(
            {name: [f"{name} is not a field of this endpoint: it takes no input."] for name in names}
        )


def parse(
    serializer_class: type[serializers.Serializer],
    data: object,
    *,
    partial: bool = False,
    context: dict | None = None,
) -> dict:
    """Validate a request body with an input serializer; a 400 naming each bad field otherwise.

    Nothing sent is silently dropped: a field the serializer does not take is a 400 naming it,
    with the reason (``unexpected_fields``), next to the errors of the fields it does take.
    """
    context = {} if context is None else context
    serializer = serializer_class(data=data, partial=partial, context=context)
    valid = serializer.is_valid()
    # A field may take more of the body than its own name (a carousel names its file parts).
    unexpected = unexpected_fields(serializer_class, data, consumed=context.get("consumed_fields", ()))
    if unexpected or not valid:
        errors = dict(serializer.errors) if not valid else {}
        for name, message in unexpected.items():
            errors.setdefault(name, []).append(message)
        raise exceptions.ValidationError(errors)
    return serializer.validated_data


def parse_query(serializer_class: type[serializers.Serializer], query_params: QueryDict) -> dict:
    """Validate query parameters (pagination's ``page`` and others may sit next to them, so
    parameters the serializer does not name are left alone); a 400 naming each bad one."""
    serializer = serializer_class(data=query_params.dict(), context={})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReadOnlyFields:
    """Declared on an input serializer: the fields its endpoint shows but never takes, with
    what to do instead (``{"status": "use /publish/ or /schedule/"}``; "" for no hint). Every
    field of ``output`` the input does not take is read-only too."""

    def __init__(self, output: type[serializers.Serializer] | None = None, **hints: str):
        self.output = output
        self.hints = hints

    def names(self, taken: set[str]) -> dict[str, str]:
        names = dict.fromkeys(self.output().fields if self.output else (), "")
        names.update(self.hints)
        return {name: hint for name, hint in names.items() if name not in taken}


def unexpected_fields(
    serializer_class: type[serializers.Serializer], data: object, *, consumed: Collection[str] = ()
) -> dict[str, str]:
    """The keys of a request body the serializer does not take, each with why: read-only (and
    what to do instead, from the serializer's ``read_only_fields``, a ReadOnlyFields) or unknown
    (with the closest field it takes, when one is close)."""
    if not hasattr(data, "keys"):
        return {}
    taken = {name for name, field in serializer_class().fields.items() if not field.read_only}
    declared = getattr(serializer_class, "read_only_fields", None)
    read_only = declared.names(taken) if isinstance(declared, ReadOnlyFields) else {}
    problems: dict[str, str] = {}
    for name in data.keys():
        if name in taken or name in consumed:
            continue
        if name in read_only:
            hint = read_only[name]
            problems[name] = f"{name} is read-only: {hint}" if hint else f"{name} is read-only."
            continue
        close = difflib.get_close_matches(str(name), sorted(taken), n=1)
        suggestion = f" Did you mean {close[0]}?" if close else ""
        accepted = ", ".join(sorted(taken)) or "none"
        problems[name] = f"{name} is not a field of this endpoint.{suggestion} Accepted: {accepted}."
    return problems


class RefusesUnexpectedFields:
    """For an input serializer nested in a body (a list's items): a key it does not take is a
    400 naming it, with the same words ``parse`` uses for the body's own fields."""

    def to_internal_value(self, data: object) -> dict[str, object]:
        unexpected = unexpected_fields(type(self), data)
        if unexpected:
            raise exceptions.ValidationError({name: [message] for name, message in unexpected.items()})
        # A mixin: the serializer it is mixed into (after it in the MRO) has to_internal_value.
        return super().to_internal_value(data)  # type: ignore[misc]

"""Every request: its id in the log context and the response (``X-Request-ID``), and its
route, status and time counted (``ops.metrics``).

The id is the caller's ``X-Request-ID`` when it is a sane token (a proxy's, to follow one
request across logs), else a new one. The route is the URL pattern that matched
(``api/pins/<uuid:pin_id>/``), never the path, so ids never become labels; a request no
pattern matched counts as ``unmatched``.
"""

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from ops import metrics
from pinpublisher import logs

#: What a caller's request id may be: short, and nothing a log line could be forged with.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HEADER = "X-Request-ID"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def route_of(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return "unmatched"
    return "/" + match.route if match.route else (match.view_name or "unnamed")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        logs.clear()
        request_id = request_id_of(request)
        logs.bind(request_id=request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            route = route_of(request)
            method = request.method if request.method in METHODS else "other"
            metrics.HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
            metrics.HTTP_SECONDS.labels(route=route, method=method).observe(time.monotonic() - started)
            return response
        finally:
            logs.clear()

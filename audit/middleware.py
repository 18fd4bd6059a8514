"""Binds each request as the acting one (``audit.actors``) for the time it is served."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from audit.actors import acting_for_request


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with acting_for_request(request):
            return self.get_response(request)

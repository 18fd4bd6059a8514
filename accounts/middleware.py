"""The two-factor gate, for every page and the API's session requests alike (planner, admin).

A session signed in with a password whose user has two-factor on waits for the code
(``receivers.PENDING``): until it is given, every request is sent to the code page (the API's
answer is 403 ``two_factor_required``). An owner of a tenant that makes owners use two-factor,
without it, is sent to set it up before anything else (API: 403 ``two_factor_setup_required``).
The pages that resolve it, logging out and static files pass. API keys never reach this: they
carry no session (DRF authenticates them after the middleware).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from accounts import selectors
from accounts.receivers import PENDING

PASSING = ("/static/", "/media/", "/healthz", "/readyz", "/metrics", "/planner/logout/", "/admin/logout/")


def _refusal(request: HttpRequest, *, code: str, message: str, page: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=403)
    return HttpResponseRedirect(reverse(page) + "?" + urlencode({"next": request.get_full_path()}))


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(PASSING):
            return self.get_response(request)
        if request.session.get(PENDING):
            if request.path != reverse("accounts:two-factor-verify"):
                return _refusal(request, code="two_factor_required", page="accounts:two-factor-verify",
                                message="Enter your two-factor code first (the login page's next step).")
        elif request.path != reverse("accounts:two-factor-setup") and selectors.two_factor_missing_for_owner(
            user_id=user.pk
        ):
            return _refusal(request, code="two_factor_setup_required", page="accounts:two-factor-setup",
                            message="Your team requires owners to use two-factor: set it up first.")
        return self.get_response(request)

"""What a sign-in and a log-out mean here: the session is recorded (for "log out everywhere") and,
for a user with two-factor on, marked as waiting for a code (``accounts.middleware`` holds it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import selectors
from accounts.services import sessions

#: The session's mark: signed in with a password, the two-factor code not yet given.
PENDING = "accounts.two_factor_pending"


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    device = selectors.two_factor_device(user_id=user.pk)
    if device is not None and device.confirmed_at:
        request.session[PENDING] = True
    if request.session.session_key is None:
        request.session.save()
    sessions.user_session_record(user_id=user.pk, session_key=request.session.session_key)


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def signed_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.user_session_forget(session_key=request.session.session_key)

"""Which sessions a user signed in with, and "log out everywhere".

Every sign-in records its session key (``accounts.receivers`` on ``user_logged_in``), every
log-out forgets it; ``user_sessions_end`` deletes each recorded session through the configured
session engine, so a browser holding one is signed out on its next request. It imports no other
app: any service (removing a member, say) may call it.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from accounts import selectors
from accounts.conf import accounts_settings
from accounts.models import UserSession
from audit import record as audit_trail


def _store(session_key: str) -> SessionBase:
    engine = import_module(accounts_settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def user_session_record(*, user_id: int, session_key: str | None) -> None:
    """Remember the session; the user's records older than a session can live go (they ended)."""
    if session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user_id": user_id})
        oldest = timezone.now() - timedelta(seconds=accounts_settings.SESSION_COOKIE_AGE)
        UserSession.objects.filter(user_id=user_id, created_at__lt=oldest).delete()


def user_session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_end(*, user_id: int) -> int:
    """End every session ``user_id`` signed in with (this one too, when a person asks); returns how
    many were recorded. (Signed-cookie sessions could not be ended on a server; the project keeps
    its sessions in the database.)"""
    keys = list(UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    with transaction.atomic():
        UserSession.objects.filter(user_id=user_id, session_key__in=keys).delete()
        audit_trail.record("user.sessions_end", tenant_id=selectors.user_tenant_id(user_id=user_id),
                           object_id=user_id, object_repr=f"user {user_id}",
                           changes={"sessions_ended": [None, len(keys)]})
    return len(keys)

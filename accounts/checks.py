"""System checks of the login's protection: production with the throttling off, or with django-axes's
backend not first (a locked-out person's password would still be checked by the backends before it)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register

from accounts.conf import accounts_settings

AXES_BACKEND = "axes.backends.AxesStandaloneBackend"


@register("security", deploy=True)
def check_login_throttling(app_configs: Any, **kwargs: Any) -> list[Warning]:
    problems = []
    if not accounts_settings.AXES_ENABLED:
        problems.append(Warning(
            "Login throttling is off (LOGIN_THROTTLING=0): the logins take unlimited guesses.",
            hint="Unset LOGIN_THROTTLING outside a test rig.", id="accounts.W001",
        ))
    backends = list(accounts_settings.AUTHENTICATION_BACKENDS)
    if not backends or backends[0] != AXES_BACKEND:
        problems.append(Warning(
            f"{AXES_BACKEND} is not the first of AUTHENTICATION_BACKENDS: a locked-out login is still tried.",
            id="accounts.W002",
        ))
    return problems

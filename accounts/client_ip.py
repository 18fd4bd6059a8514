"""The client's address the login throttling counts failures by (``AXES_CLIENT_IP_CALLABLE``).

Directly reached, it is the peer's address. Behind ``LOGIN_PROXY_COUNT`` proxies that each append
the address they saw to ``X-Forwarded-For``, it is the one the outermost of ours saw: the n-th from
the right. Never the left-most, which the client writes itself and could vary to dodge the limit.
Without the setting behind a proxy every client would share the proxy's address, and one person's
failures would lock everyone out: say so in the README's deployment notes.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.conf import accounts_settings


def client_ip(request: HttpRequest) -> str | None:
    proxies = int(accounts_settings.LOGIN_PROXY_COUNT)
    peer = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    return hops[-proxies] if len(hops) >= proxies else peer

"""Browser views of the OAuth connection: ``connect`` sends a person to Pinterest, ``callback``
brings them back. Both are thin: the state lives in ``pinterest.oauth``, the rules in
``pinterest.services``. Every failure ends on one page (``pinterest/connect_result.html``)
that says what happened; nothing is stored unless the whole dance succeeded.
"""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pinpublisher.api import tenant_of
from pinterest import oauth
from pinterest.errors import ConnectError, PinterestConfigurationError, PinterestError
from pinterest.models import PinterestConnection, TenantRef
from pinterest.services.connect import connection_connect_from_code

DECLINED_MESSAGE = (
    "You declined to give pinpublisher access to your Pinterest account, so nothing was connected. "
    "To publish pins, connect again and choose “Give access”."
)


def _safe_next(request: HttpRequest, url: str) -> str:
    """``url`` when it points into this site, else ""."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return ""


def _page(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    status: int,
    retry: bool = True,
    connection: PinterestConnection | None = None,
) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "message": message,
        "retry_url": reverse("pinterest:connect") if retry else "",
        "connection_url": (
            reverse("admin:pinterest_pinterestconnection_change", args=[connection.pk])
            if connection is not None and request.user.is_staff
            else ""
        ),
    }
    return render(request, "pinterest/connect_result.html", context, status=status)


def _no_tenant(request: HttpRequest) -> HttpResponse:
    return _page(
        request, title="No organisation", status=403, retry=False,
        message="Your user belongs to no tenant, so there is nothing to connect a Pinterest account to. "
        "Ask an owner of your organisation to add you.",
    )


def _not_configured(request: HttpRequest, exc: PinterestConfigurationError) -> HttpResponse:
    return _page(
        request, title="Pinterest is not configured", status=503, retry=False,
        message=f"This site cannot talk to Pinterest yet: {exc}. See the README (Pinterest app).",
    )


@never_cache
@login_required
@require_GET
def connect(request: HttpRequest) -> HttpResponse:
    """``GET /pinterest/connect/[?project=<id>][&next=<url>]``: off to Pinterest's consent page."""
    tenant: TenantRef = tenant_of(request.user)
    if tenant is None:
        return _no_tenant(request)
    project_id = None
    if request.GET.get("project"):
        try:
            project_id = int(request.GET["project"])
        except ValueError:
            raise Http404("No such project.") from None
        if not tenant.projects.filter(pk=project_id).exists():
            raise Http404("No such project.")
    state = oauth.state_issue(
        session=request.session, project_id=project_id, next_url=_safe_next(request, request.GET.get("next", ""))
    )
    try:
        return redirect(oauth.authorize_url(state=state))
    except PinterestConfigurationError as exc:
        return _not_configured(request, exc)


@never_cache
@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """``GET /pinterest/callback/?code=..&state=..`` (or ``?error=access_denied&state=..``)."""
    try:
        remembered = oauth.state_redeem(session=request.session, state=request.GET.get("state"))
    except oauth.InvalidState as exc:
        return _page(request, title="This connection attempt cannot be completed", message=str(exc), status=400)
    error = request.GET.get("error")
    if error == "access_denied":
        return _page(request, title="Pinterest account not connected", message=DECLINED_MESSAGE, status=200)
    if error or not request.GET.get("code"):
        detail = request.GET.get("error_description") or error or "no authorization code"
        return _page(
            request, title="Pinterest account not connected", status=400,
            message=f"Pinterest did not grant access ({detail[:200]}). Nothing was connected.",
        )
    tenant = tenant_of(request.user)
    if tenant is None:
        return _no_tenant(request)
    try:
        result = connection_connect_from_code(
            tenant=tenant, code=request.GET["code"], target=remembered.get("project_id")
        )
    except ConnectError as exc:
        return _page(request, title="Pinterest account not connected", message=str(exc), status=400)
    except PinterestConfigurationError as exc:
        return _not_configured(request, exc)
    except PinterestError as exc:
        return _page(
            request, title="Pinterest account not connected", status=502,
            message=f"Pinterest could not complete the connection: {exc.user_message}. Nothing was stored.",
        )
    level = messages.WARNING if (result.missing_scopes or result.boards_error) else messages.SUCCESS
    next_url = _safe_next(request, remembered.get("next") or "")
    if next_url or request.user.is_staff:
        messages.add_message(request, level, result.message)
        return redirect(
            next_url or reverse("admin:pinterest_pinterestconnection_change", args=[result.connection.pk])
        )
    return _page(
        request, title="Pinterest account connected" if result.connection.is_active else "Pinterest account inactive",
        message=result.message, status=200, retry=not result.connection.is_active,
        connection=result.connection,
    )

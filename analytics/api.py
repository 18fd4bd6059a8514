"""REST endpoints of the analytics app: thin, they parse, read through the selectors (or queue
a sync) and present. Tenant-scoped: another tenant's pin, project or connection is a 404.

- ``GET /api/projects/{id}/analytics/?from=&to=``: totals, per day, per board, per kind, top pins.
- ``GET /api/pins/{id}/analytics/?from=&to=``: the pin's totals and days.
- Both as CSV with ``?format=csv`` or ``Accept: text/csv``.
- ``POST /api/connections/{id}/sync-analytics/``: sync the connection now (queued for a worker;
  409 while a sync of it runs, ``analytics.services.lease``).
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.renderers import CsvRenderer
from analytics.selectors import (
    connection_analytics_state,
    pin_analytics,
    pins_for_tenant,
    project_analytics,
    projects_for_tenant,
)
from analytics.serializers import (
    PinAnalyticsSerializer,
    ProjectAnalyticsSerializer,
    SyncQueuedSerializer,
    parse_range,
    pin_csv_rows,
    project_csv_rows,
)
from analytics.services.lease import connection_sync_request
from apikeys.scopes import Scope
from pinpublisher.api import TenantApi, error_responses, get_or_404, no_input
from pinterest.selectors import connections_for_tenant

RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="The first day (UTC, YYYY-MM-DD), included; "
                     "default: 30 days before `to`."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="The last day (UTC, YYYY-MM-DD), included; "
                     "default: yesterday."),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv`: the same as CSV "
                     "(as `Accept: text/csv`)."),
]
CSV = OpenApiResponse(OpenApiTypes.STR, description="The same numbers as CSV, one row per line.")


class _AnalyticsApi(TenantApi):
    renderer_classes = [JSONRenderer, CsvRenderer]

    def wants_csv(self, request: Request) -> bool:
        return getattr(request.accepted_renderer, "format", "") == "csv"


class ProjectAnalyticsApi(_AnalyticsApi):
    @extend_schema(
        operation_id="projects_analytics",
        tags=["analytics"],
        summary="A project's analytics over a range of days",
        description="Pinterest's daily metrics of the project's published pins, summed: totals, per day, "
        "per board, per pin kind, and the top 20 pins. Days are UTC; the last three may still be revised.",
        parameters=RANGE_PARAMETERS,
        responses={(200, "application/json"): ProjectAnalyticsSerializer, (200, "text/csv"): CSV,
                   **error_responses(400, 404)},
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = get_or_404(projects_for_tenant(tenant=self.tenant), label="Project", pk=project_id)
        start, end = parse_range(request.query_params.dict(), today=timezone.now().date())
        data = project_analytics(project=project, start=start, end=end)
        if self.wants_csv(request):
            return Response(project_csv_rows(data), headers=_attachment(f"project-{project.pk}-analytics.csv"))
        return Response(ProjectAnalyticsSerializer(data).data)


class PinAnalyticsApi(_AnalyticsApi):
    @extend_schema(
        operation_id="pins_analytics",
        tags=["analytics"],
        summary="A pin's analytics over a range of days",
        description="Pinterest's daily metrics of the pin (video metrics for a video pin), kept beyond "
        "Pinterest's 90 days. `gone`: Pinterest no longer has the pin.",
        parameters=RANGE_PARAMETERS,
        responses={(200, "application/json"): PinAnalyticsSerializer, (200, "text/csv"): CSV,
                   **error_responses(400, 404)},
    )
    def get(self, request: Request, pin_id: str) -> Response:
        pin = get_or_404(pins_for_tenant(tenant=self.tenant), label="Pin", pk=pin_id)
        start, end = parse_range(request.query_params.dict(), today=timezone.now().date())
        data = pin_analytics(pin=pin, start=start, end=end)
        if self.wants_csv(request):
            return Response(pin_csv_rows(data), headers=_attachment(f"pin-{pin.pk}-analytics.csv"))
        return Response(PinAnalyticsSerializer(data).data)


class ConnectionSyncAnalyticsApi(TenantApi):
    write_scope = Scope.CONNECTIONS_WRITE

    @extend_schema(
        operation_id="connections_sync_analytics",
        tags=["connections"],
        request=None,
        summary="Sync the connection's analytics now",
        description="Queues a sync of the account's daily totals and its published pins' metrics (the "
        "daily job does the same at 03:00 UTC). Final days are not fetched again. When Pinterest asked to "
        "wait, `resume_at` says when the sync runs. An inactive connection answers 409 `connection_inactive`; "
        "one being synced now (the daily job, or an earlier sync now) 409 `already_syncing`.",
        responses={202: SyncQueuedSerializer, **error_responses(404, 409)},
    )
    @no_input
    def post(self, request: Request, connection_id: int) -> Response:
        connection = get_or_404(
            connections_for_tenant(tenant=self.tenant), label="Connection", pk=connection_id
        )
        connection_sync_request(connection=connection)
        state = connection_analytics_state(connection_id=connection.pk)
        return Response(
            SyncQueuedSerializer({
                "connection": connection.pk, "queued": True,
                "last_synced_at": state.last_synced_at if state else None,
                "resume_at": state.resume_at if state else None,
                "last_error": state.last_error if state else "",
            }).data,
            status=202,
        )


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}

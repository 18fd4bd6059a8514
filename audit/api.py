"""``GET /api/audit/``: the tenant's audit trail, newest first, filtered and paginated, or all of
it that matches as CSV (``?format=csv`` or ``Accept: text/csv``). Read-only: no endpoint writes it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from audit.renderers import AuditCsvRenderer
from audit.selectors import audit_events
from audit.serializers import AuditEventSerializer, csv_rows, parse_filters
from pinpublisher.api import TenantApi, error_responses
from pinpublisher.api.pagination import PAGINATION_PARAMETERS, paginated, paginated_response

FILTERS = [
    OpenApiParameter("object_type", OpenApiTypes.STR, description="`pin`, `project`, `article`, `connection`, "
                     "`api_key`, `webhook`, `tenant`, `member`, `invitation`, `user`, `feed`, "
                     "`design_style`, `autopilot_rule`, ..."),
    OpenApiParameter("object_id", OpenApiTypes.STR, description="The object's id (a pin's UUID, a project's number)."),
    OpenApiParameter("actor", OpenApiTypes.STR, description="A username, an API key's prefix, a job's name, or a "
                     "kind: `person`, `api_key`, `job`."),
    OpenApiParameter("action", OpenApiTypes.STR, description="An action (`pin.update`), or a prefix ending in `.` "
                     "(`pin.`)."),
    OpenApiParameter("from", OpenApiTypes.DATETIME, description="From this instant, or this day (YYYY-MM-DD, UTC), "
                     "included."),
    OpenApiParameter("to", OpenApiTypes.DATETIME, description="Before this instant, or up to this day (UTC), "
                     "included."),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv`: every matching event as "
                     "CSV, not paginated (as `Accept: text/csv`)."),
]


class AuditEventListApi(TenantApi):
    renderer_classes = [JSONRenderer, AuditCsvRenderer]

    @extend_schema(
        operation_id="audit_list",
        tags=["audit"],
        summary="The audit trail",
        description="Every change made in the tenant: who (a person, an API key by its prefix, or a job), "
        "when, what, and the fields before and after (`changes`). Secrets are shown as changed, never their "
        "values. Events are kept for `AUDIT_RETENTION_DAYS`.",
        parameters=[*FILTERS, *PAGINATION_PARAMETERS],
        responses={
            (200, "application/json"): paginated(AuditEventSerializer),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The matching events as CSV."),
            **error_responses(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        events = audit_events(tenant=self.tenant, **parse_filters(request.query_params.dict()))
        if getattr(request.accepted_renderer, "format", "") == "csv":
            return Response(
                csv_rows(list(events)), headers={"Content-Disposition": 'attachment; filename="audit.csv"'}
            )
        return paginated_response(
            queryset=events, serializer_class=AuditEventSerializer, request=request, view=self
        )

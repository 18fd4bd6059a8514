"""REST endpoints of the publishing app: projects, articles and pins.

Thin views: parse the input, call one service or selector, serialize. Tenant scoping, the
error format and the mapping of domain errors to HTTP come from ``pinpublisher.api``.

PUT replaces every editable field (absent optional ones take their defaults; a pin keeps an
uploaded image unless a new image or an image_url is given); PATCH changes only the fields
sent.
"""

import uuid

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    TenantApi,
    error_responses,
    get_or_404,
    no_input,
    paginated,
    paginated_response,
    parse,
    parse_query,
)
from publishing import selectors
from publishing.models import BlogArticle, BlogProject, Pin, Tenant
from publishing.serializers import (
    ArticleFilterSerializer,
    ArticleInputSerializer,
    ArticleSerializer,
    PinFilterSerializer,
    PinInputSerializer,
    PinJsonInputSerializer,
    PinScheduleSerializer,
    PinSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
)
from publishing.services import content

DELETED = OpenApiResponse(description="Deleted.")


# TenantApi whose tenant is publishing's: IsTenantMember lets no request in without one. (A comment,
# not a docstring: the schema would show a docstring as every endpoint's text.)
class PublishingApi(TenantApi):
    @property
    def tenant(self) -> Tenant:
        tenant = super().tenant
        assert isinstance(tenant, Tenant)
        return tenant


# --- Projects --------------------------------------------------------------------------------


class ProjectsApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="projects_list",
        tags=["projects"],
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(ProjectSerializer), **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        projects = selectors.projects_for_tenant(tenant=self.tenant)
        return paginated_response(
            queryset=projects, serializer_class=ProjectSerializer, request=request, view=self
        )

    @extend_schema(
        operation_id="projects_create",
        tags=["projects"],
        request=ProjectInputSerializer,
        responses={201: ProjectSerializer, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ProjectInputSerializer, request.data)
        project = content.project_create(tenant=self.tenant, **data)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    def get_project(self, project_id: int) -> BlogProject:
        projects = selectors.projects_for_tenant(tenant=self.tenant).select_related("tenant")
        return get_or_404(projects, label="Project", pk=project_id)

    @extend_schema(
        operation_id="projects_retrieve",
        tags=["projects"],
        responses={200: ProjectSerializer, **error_responses(404)},
    )
    def get(self, request: Request, project_id: int) -> Response:
        return Response(ProjectSerializer(self.get_project(project_id)).data)

    @extend_schema(
        operation_id="projects_update",
        tags=["projects"],
        request=ProjectInputSerializer,
        responses={200: ProjectSerializer, **error_responses(400, 404, 415)},
    )
    def put(self, request: Request, project_id: int) -> Response:
        return self._update(request, project_id, partial=False)

    @extend_schema(
        operation_id="projects_partial_update",
        tags=["projects"],
        request=ProjectInputSerializer,
        responses={200: ProjectSerializer, **error_responses(400, 404, 415)},
    )
    def patch(self, request: Request, project_id: int) -> Response:
        return self._update(request, project_id, partial=True)

    def _update(self, request: Request, project_id: int, *, partial: bool) -> Response:
        project = self.get_project(project_id)
        data = parse(ProjectInputSerializer, request.data, partial=partial)
        project = content.project_update(project=project, data=data)
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        operation_id="projects_destroy",
        tags=["projects"],
        description="Deletes the project and its articles. A project with pins is refused (409).",
        responses={204: DELETED, **error_responses(404, 409)},
    )
    def delete(self, request: Request, project_id: int) -> Response:
        content.project_delete(project=self.get_project(project_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Articles --------------------------------------------------------------------------------


class ArticlesApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="articles_list",
        tags=["articles"],
        parameters=[ArticleFilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(ArticleSerializer), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(ArticleFilterSerializer, request.query_params)
        articles = selectors.articles_for_tenant(
            tenant=self.tenant, project_id=filters.get("project")
        )
        return paginated_response(
            queryset=articles, serializer_class=ArticleSerializer, request=request, view=self
        )

    @extend_schema(
        operation_id="articles_create",
        tags=["articles"],
        request=ArticleInputSerializer,
        responses={201: ArticleSerializer, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ArticleInputSerializer, request.data)
        article = content.article_create(tenant=self.tenant, **data)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class ArticleDetailApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    def get_article(self, article_id: int) -> BlogArticle:
        articles = selectors.articles_for_tenant(tenant=self.tenant).select_related(
            "project__tenant"
        )
        return get_or_404(articles, label="Article", pk=article_id)

    @extend_schema(
        operation_id="articles_retrieve",
        tags=["articles"],
        responses={200: ArticleSerializer, **error_responses(404)},
    )
    def get(self, request: Request, article_id: int) -> Response:
        return Response(ArticleSerializer(self.get_article(article_id)).data)

    @extend_schema(
        operation_id="articles_update",
        tags=["articles"],
        request=ArticleInputSerializer,
        responses={200: ArticleSerializer, **error_responses(400, 404, 409, 415)},
    )
    def put(self, request: Request, article_id: int) -> Response:
        return self._update(request, article_id, partial=False)

    @extend_schema(
        operation_id="articles_partial_update",
        tags=["articles"],
        request=ArticleInputSerializer,
        responses={200: ArticleSerializer, **error_responses(400, 404, 409, 415)},
    )
    def patch(self, request: Request, article_id: int) -> Response:
        return self._update(request, article_id, partial=True)

    def _update(self, request: Request, article_id: int, *, partial: bool) -> Response:
        article = self.get_article(article_id)
        data = parse(ArticleInputSerializer, request.data, partial=partial)
        article = content.article_update(article=article, data=data)
        return Response(ArticleSerializer(article).data)

    @extend_schema(
        operation_id="articles_destroy",
        tags=["articles"],
        description="An article with pins cannot be deleted (409 `article_has_pins`).",
        responses={204: DELETED, **error_responses(404, 409)},
    )
    def delete(self, request: Request, article_id: int) -> Response:
        content.article_delete(article=self.get_article(article_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Pins ------------------------------------------------------------------------------------

PIN_REQUEST = {
    "multipart/form-data": PinInputSerializer,
    "application/json": PinJsonInputSerializer,
    "application/x-www-form-urlencoded": PinJsonInputSerializer,
}
PIN_EDIT_NOTE = (
    "Only a pin that is draft, ready_to_schedule or error can be changed: a publishing or "
    "published pin is read-only (409 `pin_not_editable`). Text longer than Pinterest allows is "
    "accepted and listed in `warnings`."
)


class PinsApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="pins_list",
        tags=["pins"],
        parameters=[PinFilterSerializer, *PAGINATION_PARAMETERS],
        responses={200: paginated(PinSerializer), **error_responses(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = parse_query(PinFilterSerializer, request.query_params)
        pins = selectors.pins_for_tenant(
            tenant=self.tenant, filters=PinFilterSerializer.to_filters(query)
        )
        return paginated_response(
            queryset=pins, serializer_class=PinSerializer, request=request, view=self
        )

    @extend_schema(
        operation_id="pins_create",
        tags=["pins"],
        description="Creates a draft pin with an uploaded image (multipart) or an https "
        "image_url, a `carousel` of 2-5 images, or a `video` (multipart) with its cover; `board_section` "
        "names a section of its board. With `scheduled_at` it is scheduled at once (ready_to_schedule) or nothing is "
        "created. Text longer than Pinterest allows is accepted and listed in `warnings`. A field "
        "this endpoint does not take (a read-only one such as `status`, or a misspelled one) is a 400 "
        "naming it.",
        request=PIN_REQUEST,
        responses={201: PinSerializer, **error_responses(400, 415)},
    )
    def post(self, request: Request) -> Response:
        data = parse(PinInputSerializer, request.data, context={"request": request})
        pin = content.pin_create(tenant=self.tenant, **data)
        return Response(
            PinSerializer(pin, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class PinDetailApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    def get_pin(self, pin_id: uuid.UUID) -> Pin:
        return selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)

    def present(self, pin: Pin, request: Request) -> Response:
        return Response(PinSerializer(pin, context={"request": request}).data)

    @extend_schema(
        operation_id="pins_retrieve",
        tags=["pins"],
        responses={200: PinSerializer, **error_responses(404)},
    )
    def get(self, request: Request, pin_id: uuid.UUID) -> Response:
        return self.present(self.get_pin(pin_id), request)

    @extend_schema(
        operation_id="pins_update",
        tags=["pins"],
        description=PIN_EDIT_NOTE,
        request=PIN_REQUEST,
        responses={200: PinSerializer, **error_responses(400, 404, 409, 415)},
    )
    def put(self, request: Request, pin_id: uuid.UUID) -> Response:
        return self._update(request, pin_id, partial=False)

    @extend_schema(
        operation_id="pins_partial_update",
        tags=["pins"],
        description=PIN_EDIT_NOTE,
        request=PIN_REQUEST,
        responses={200: PinSerializer, **error_responses(400, 404, 409, 415)},
    )
    def patch(self, request: Request, pin_id: uuid.UUID) -> Response:
        return self._update(request, pin_id, partial=True)

    def _update(self, request: Request, pin_id: uuid.UUID, *, partial: bool) -> Response:
        pin = self.get_pin(pin_id)
        data = parse(PinInputSerializer, request.data, partial=partial, context={"request": request})
        return self.present(content.pin_update(pin=pin, data=data), request)

    @extend_schema(
        operation_id="pins_destroy",
        tags=["pins"],
        description="Deletes the pin (a published pin stays on Pinterest). Refused while the "
        "pin is publishing (409 `pin_not_deletable`).",
        responses={204: DELETED, **error_responses(404, 409)},
    )
    def delete(self, request: Request, pin_id: uuid.UUID) -> Response:
        content.pin_delete(pin=self.get_pin(pin_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PinScheduleApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="pins_schedule",
        tags=["pins"],
        description="Schedules the pin and marks it ready_to_schedule. `scheduled_at` must carry "
        "a timezone offset and not be in the past. The pin needs a board and an image. Works "
        "from draft, ready_to_schedule (a new time), error (a retry) and in_review. In a project whose "
        "pins need approval, an editor's schedule puts the pin in_review with the time asked instead "
        "(an owner approves it: POST /api/pins/{id}/approve/).",
        request=PinScheduleSerializer,
        responses={200: PinSerializer, **error_responses(400, 404, 409, 415)},
    )
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        data = parse(PinScheduleSerializer, request.data)
        pin = content.pin_schedule(pin=pin, scheduled_at=data["scheduled_at"])
        return Response(PinSerializer(pin, context={"request": request}).data)


class PinUnscheduleApi(PublishingApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(
        operation_id="pins_unschedule",
        tags=["pins"],
        description="Takes the pin off the schedule: back to draft, scheduled_at cleared.",
        request=None,
        responses={200: PinSerializer, **error_responses(404, 409)},
    )
    @no_input
    def post(self, request: Request, pin_id: uuid.UUID) -> Response:
        pin = selectors.pin_for_tenant(tenant=self.tenant, pin_id=pin_id)
        pin = content.pin_unschedule(pin=pin)
        return Response(PinSerializer(pin, context={"request": request}).data)

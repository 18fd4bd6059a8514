"""REST endpoints of the feeds app: a project's feeds (list, add) under /api/projects/{id}/feeds/,
one feed (read, change, remove) under /api/feeds/{id}/, and the project's feed health.

Thin views: parse, call one service or selector, serialize. Tenant scoping, the error format and
the mapping of domain errors to HTTP come from ``pinpublisher.api``; writes need ``pins:write``,
as the project's other content does.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from feeds import selectors
from feeds.models import Feed
from feeds.serializers import FeedInputSerializer, FeedSerializer, ProjectFeedHealthSerializer
from feeds.services import feeds as feed_services
from pinpublisher.api import (
    PAGINATION_PARAMETERS,
    TenantApi,
    error_responses,
    get_or_404,
    paginated,
    paginated_response,
    parse,
)
from publishing.selectors import projects_for_tenant

TAGS = ["feeds"]


class _FeedsApi(TenantApi):
    write_scope = Scope.PINS_WRITE

    def check_project(self, project_id: int) -> None:
        get_or_404(projects_for_tenant(tenant=self.tenant), label="Project", pk=project_id)

    def get_feed(self, feed_id: int) -> Feed:
        return get_or_404(selectors.feeds_for_tenant(tenant=self.tenant), label="Feed", pk=feed_id)


class ProjectFeedsApi(_FeedsApi):
    @extend_schema(operation_id="project_feeds_list", tags=TAGS, parameters=PAGINATION_PARAMETERS,
                   responses={200: paginated(FeedSerializer), **error_responses(404)})
    def get(self, request: Request, project_id: int) -> Response:
        self.check_project(project_id)
        return paginated_response(queryset=selectors.feeds_for_tenant(tenant=self.tenant, project_id=project_id),
                                  serializer_class=FeedSerializer, request=request, view=self)

    @extend_schema(
        operation_id="project_feeds_create", tags=TAGS, request=FeedInputSerializer,
        description="Adds a feed; it is polled within a minute, then every FEEDS_POLL_MINUTES (30).",
        responses={201: FeedSerializer, **error_responses(400, 404, 415)},
    )
    def post(self, request: Request, project_id: int) -> Response:
        self.check_project(project_id)
        data = parse(FeedInputSerializer, request.data)
        feed = feed_services.feed_create(tenant=self.tenant, project_id=project_id, **data)
        return Response(FeedSerializer(feed).data, status=status.HTTP_201_CREATED)


class ProjectFeedHealthApi(_FeedsApi):
    @extend_schema(operation_id="project_feed_health", tags=TAGS,
                   responses={200: ProjectFeedHealthSerializer, **error_responses(404)})
    def get(self, request: Request, project_id: int) -> Response:
        self.check_project(project_id)
        health = selectors.project_feed_health(project_id=project_id)
        body = {"status": health.status, "feeds": health.feeds, "failing": health.failing,
                "last_ok_at": health.last_ok_at, "problem": health.problem, "line": health.line()}
        return Response(ProjectFeedHealthSerializer(body).data)


class FeedDetailApi(_FeedsApi):
    @extend_schema(operation_id="feeds_retrieve", tags=TAGS, responses={200: FeedSerializer, **error_responses(404)})
    def get(self, request: Request, feed_id: int) -> Response:
        return Response(FeedSerializer(self.get_feed(feed_id)).data)

    @extend_schema(
        operation_id="feeds_partial_update", tags=TAGS, request=FeedInputSerializer,
        description="A new `url` or `kind`, or `is_active: true`, forgets the failures and polls it at once.",
        responses={200: FeedSerializer, **error_responses(400, 404, 415)},
    )
    def patch(self, request: Request, feed_id: int) -> Response:
        feed = self.get_feed(feed_id)
        data = parse(FeedInputSerializer, request.data, partial=True)
        return Response(FeedSerializer(feed_services.feed_update(feed=feed, data=data)).data)

    @extend_schema(operation_id="feeds_destroy", tags=TAGS, description="Removes the feed; its articles stay.",
                   responses={204: OpenApiResponse(description="Deleted."), **error_responses(404)})
    def delete(self, request: Request, feed_id: int) -> Response:
        feed_services.feed_delete(feed=self.get_feed(feed_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

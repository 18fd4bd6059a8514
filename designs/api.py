"""REST endpoints of pin designs (issue 28), tenant-scoped:

- ``GET /api/projects/{id}/design-style/`` (``read``), ``PATCH`` (``pins:write``, JSON or multipart
  with a ``logo`` file; ``remove_logo``): the project's colours, font and footer;
- ``GET /api/articles/{id}/designs/{template}.png?variant=`` (``read``): a design (a JPEG with a
  photo, a PNG of text, as its Content-Type says; cached by its inputs); the headers
  ``Design-Template`` and ``Design-Fallback`` say which template was drawn and why;
- ``POST /api/articles/{id}/designs/pins/`` (``pins:write``): the picked designs become draft pins
  through publishing's ``pin_create``, as the planner's button does.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.scopes import Scope
from designs.models import DesignStyle, FontFamily
from designs.render import TEMPLATES
from designs.selectors import project_design_style
from designs.services import MAX_PICKS, STYLE_FIELDS, design_pins_create, design_render, design_style_update
from pinpublisher.api import TenantApi, error_responses, get_or_404
from pinpublisher.api.parsing import parse, parse_query
from publishing import selectors
from publishing.models import BlogArticle, BlogProject


class DesignStyleSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    background_color = serializers.CharField(help_text="#rrggbb")
    text_color = serializers.CharField(help_text="#rrggbb")
    accent_color = serializers.CharField(help_text="#rrggbb")
    font_family = serializers.ChoiceField(choices=FontFamily.choices)
    footer_text = serializers.CharField(allow_blank=True, help_text="Shown at the foot of each design (a domain).")
    logo = serializers.SerializerMethodField(help_text="The logo's URL, or null; shown instead of the footer text.")

    def get_logo(self, style: DesignStyle) -> str | None:
        return style.logo.url if style.logo else None


class DesignStyleInputSerializer(serializers.Serializer):
    background_color = serializers.CharField(required=False)
    text_color = serializers.CharField(required=False)
    accent_color = serializers.CharField(required=False)
    font_family = serializers.CharField(required=False)
    footer_text = serializers.CharField(required=False, allow_blank=True)
    logo = serializers.FileField(required=False)
    remove_logo = serializers.BooleanField(required=False, default=False)


class PickSerializer(serializers.Serializer):
    template = serializers.ChoiceField(choices=list(TEMPLATES))
    variant = serializers.IntegerField(min_value=0, max_value=99, default=0,
                                       help_text="Which of the article's images comes first.")


class DesignPinsInputSerializer(serializers.Serializer):
    picks = PickSerializer(many=True, help_text=f"1 to {MAX_PICKS} designs.")


class DesignQuerySerializer(serializers.Serializer):
    variant = serializers.IntegerField(min_value=0, max_value=99, default=0, required=False)


class DesignStyleApi(TenantApi):
    write_scope = Scope.PINS_WRITE

    def project(self, project_id: int) -> BlogProject:
        return get_or_404(selectors.projects_for_tenant(tenant=self.tenant), label="Project", pk=project_id)

    @extend_schema(operation_id="projects_design_style", tags=["designs"], summary="The project's design style",
                   responses={200: DesignStyleSerializer, **error_responses(404)})
    def get(self, request: Request, project_id: int) -> Response:
        return Response(DesignStyleSerializer(project_design_style(project=self.project(project_id))).data)

    @extend_schema(operation_id="projects_design_style_update", tags=["designs"],
                   summary="Change the project's design style", request=DesignStyleInputSerializer,
                   responses={200: DesignStyleSerializer, **error_responses(400, 404, 415)})
    def patch(self, request: Request, project_id: int) -> Response:
        project = self.project(project_id)
        data: dict[str, Any] = dict(parse(DesignStyleInputSerializer, request.data, partial=True))
        logo, remove_logo = data.pop("logo", None), data.pop("remove_logo", False)
        style = design_style_update(project=project, data={k: v for k, v in data.items() if k in STYLE_FIELDS},
                                    logo=logo, remove_logo=remove_logo)
        return Response(DesignStyleSerializer(style).data)


class _ArticleApi(TenantApi):
    def article(self, article_id: int) -> BlogArticle:
        return get_or_404(selectors.articles_for_tenant(tenant=self.tenant).select_related("project"),
                          label="Article", pk=article_id)


class DesignImageApi(_ArticleApi):
    @extend_schema(operation_id="articles_design_image", tags=["designs"],
                   summary="An article's design as a JPEG (a photo) or a PNG (text)",
                   parameters=[OpenApiParameter("variant", int, description="Which image comes first (0-99).")],
                   responses={
                       (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="1000x1500, with a photo"),
                       (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="1000x1500, text only"),
                       **error_responses(400, 404)})
    def get(self, request: Request, article_id: int, template: str) -> HttpResponse:
        article = self.article(article_id)
        if template not in TEMPLATES:
            raise serializers.ValidationError({"template": [f"One of: {', '.join(TEMPLATES)}."]})
        variant = parse_query(DesignQuerySerializer, request.query_params).get("variant", 0)
        rendered = design_render(article=article, template=template, variant=variant)
        response = HttpResponse(rendered.data, content_type=rendered.media_type)
        response["Design-Template"] = rendered.template
        response["Design-Fallback"] = rendered.fallback.encode("ascii", "replace").decode()
        return response


class DesignPinsApi(_ArticleApi):
    write_scope = Scope.PINS_WRITE

    @extend_schema(operation_id="articles_design_pins", tags=["designs"], summary="Make draft pins of designs",
                   request=DesignPinsInputSerializer,
                   responses={201: OpenApiResponse(description="The new pins' ids"), **error_responses(400, 404, 415)})
    def post(self, request: Request, article_id: int) -> Response:
        article = self.article(article_id)
        data = parse(DesignPinsInputSerializer, request.data)
        picks = [(pick["template"], pick["variant"]) for pick in data["picks"]]
        pins = design_pins_create(tenant=self.tenant, article=article, picks=picks)
        return Response({"pins": [str(pin.pk) for pin in pins]}, status=status.HTTP_201_CREATED)

"""Pages of a list: the paginator, its query parameters and its schema."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


PAGINATION_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"Results per page (default {api_settings.PAGE_SIZE}, at most "
        f"{ApiPagination.max_page_size}).",
    ),
]

_paginated_serializers: dict[type, type] = {}


def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of ``serializer_class`` objects (named ``Paginated<Name>List``)."""
    if serializer_class not in _paginated_serializers:
        name = serializer_class.__name__.removesuffix("Serializer")
        _paginated_serializers[serializer_class] = type(
            f"Paginated{name}ListSerializer",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": serializer_class(many=True),
            },
        )
    return _paginated_serializers[serializer_class]


def paginated_response(
    *, queryset: QuerySet[Model], serializer_class: type[serializers.Serializer], request: Request, view: APIView
) -> Response:
    paginator = ApiPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request}).data
    return paginator.get_paginated_response(data)

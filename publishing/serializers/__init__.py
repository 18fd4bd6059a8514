"""Serializers of the publishing API: Input ones parse requests, Output ones present objects.

They hold no rules: an input serializer checks types (and the lengths the model's columns
set) and renames related ids (``project`` -> ``project_id``) for the services; every rule about
tenants, boards, images, statuses and a pin's text lives in ``publishing.services.content``.

One job per module: ``fields`` (the shared fields), ``projects`` (projects and articles),
``carousel`` (a carousel's items, output and input), ``pins`` (a pin's output), ``pin_input``
(a pin's input, its schedule body, the pin list's filters). Every name is re-exported here.
"""

from publishing.serializers.carousel import CarouselField, CarouselItemInputSerializer, CarouselItemSerializer
from publishing.serializers.fields import (
    NullIfBlankCharField,
    NullIfBlankURLField,
    ServiceCheckedCharField,
    ServiceCheckedCharFieldExtension,
)
from publishing.serializers.pin_input import (
    PinFilterSerializer,
    PinInputSerializer,
    PinJsonInputSerializer,
    PinScheduleSerializer,
)
from publishing.serializers.pins import PinListSerializer, PinSerializer, PinWarningSerializer
from publishing.serializers.projects import (
    ArticleFilterSerializer,
    ArticleInputSerializer,
    ArticleSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
)

__all__ = [
    "ArticleFilterSerializer",
    "ArticleInputSerializer",
    "ArticleSerializer",
    "CarouselField",
    "CarouselItemInputSerializer",
    "CarouselItemSerializer",
    "NullIfBlankCharField",
    "NullIfBlankURLField",
    "PinFilterSerializer",
    "PinInputSerializer",
    "PinJsonInputSerializer",
    "PinListSerializer",
    "PinScheduleSerializer",
    "PinSerializer",
    "PinWarningSerializer",
    "ProjectInputSerializer",
    "ProjectSerializer",
    "ServiceCheckedCharField",
    "ServiceCheckedCharFieldExtension",
]

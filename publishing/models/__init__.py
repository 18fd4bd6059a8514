"""Tenants, blog projects, articles, pins, and the record of their journey to Pinterest.

Pin status moves ``draft -> ready_to_schedule -> publishing -> published | error``.
Every move into ``publishing`` is a compare-and-set in the database (see
``publishing.services``); the models only describe state.

``content``: tenants, memberships, projects and their posting slots, articles, pins and carousel
items, and their choices; ``records``: publish attempts, batches and their items, the runners'
places. Every name is re-exported here (the app label stays ``publishing``; the migrations name
the validators by this path).
"""

from publishing.models.content import (
    TITLE_MAX_LENGTH,
    ArticleSource,
    BlogArticle,
    BlogProject,
    CarouselItem,
    MediaState,
    Membership,
    Pin,
    PinKind,
    PinStatus,
    PostingSlot,
    PublishTrigger,
    ReviewAction,
    Tenant,
    Weekday,
    validate_timezone,
    validate_whole_minute,
)
from publishing.models.records import PublishAttempt, PublishBatch, PublishBatchItem, PublishRunner

__all__ = [
    "TITLE_MAX_LENGTH",
    "ArticleSource",
    "BlogArticle",
    "BlogProject",
    "CarouselItem",
    "MediaState",
    "Membership",
    "Pin",
    "PinKind",
    "PinStatus",
    "PostingSlot",
    "PublishAttempt",
    "PublishBatch",
    "PublishBatchItem",
    "PublishRunner",
    "PublishTrigger",
    "ReviewAction",
    "Tenant",
    "Weekday",
    "validate_timezone",
    "validate_whole_minute",
]

"""Every rule a pin and its input must keep, written once: what the API, the admin, the CSV import
and the bulk changes accept (through the content services) and what the engine may send to
Pinterest ask here, so the words a person reads are the same everywhere.

Modules: ``pins`` (may the pin be sent now, why a due pin waits, the account, deletion),
``boards`` (board and section usable and of the right account), ``media`` (image, carousel,
video and cover), ``texts`` (texts and URLs kept, Pinterest's cuts as warnings), ``schedule``
(the window every scheduled time keeps, what a scheduled pin needs). Pinterest's own limits are
``pinterest.limits``'s.

These functions only read the objects and uploads they are given; they never query or write
(the reads they need are the selectors' and the content services', which then ask here).
"""

from publishing.rules.boards import board_problem, board_section_problem, section_problem
from publishing.rules.media import (
    CAROUSEL_TEXT_MAX,
    IMAGE_FORMATS,
    MAX_IMAGE_BYTES,
    MIN_IMAGE_SIDE,
    CarouselPlan,
    check_carousel,
    check_cover,
    check_image,
    check_video,
    image_size_problem,
    inspect_image,
    video_kind,
)
from publishing.rules.pins import (
    MSG_NO_BOARD,
    MSG_NO_CONNECTION,
    MSG_NO_IMAGE,
    PIN_DELETABLE_STATUSES,
    connection_problem,
    publish_problem,
    waiting_reason,
)
from publishing.rules.schedule import (
    MSG_NAIVE,
    MSG_PAST,
    schedule_problems,
    schedule_time_problem,
    schedule_window,
)
from publishing.rules.texts import (
    ARTICLE_TITLE_MAX,
    PIN_TEXT_MAX,
    PINTEREST_TEXT_LIMITS,
    URL_MAX,
    check_article_title,
    check_article_url,
    check_image_url,
    check_pin_link,
    check_text,
    pin_warnings,
)

__all__ = [
    "ARTICLE_TITLE_MAX",
    "CAROUSEL_TEXT_MAX",
    "IMAGE_FORMATS",
    "MAX_IMAGE_BYTES",
    "MIN_IMAGE_SIDE",
    "MSG_NAIVE",
    "MSG_NO_BOARD",
    "MSG_NO_CONNECTION",
    "MSG_NO_IMAGE",
    "MSG_PAST",
    "PINTEREST_TEXT_LIMITS",
    "PIN_DELETABLE_STATUSES",
    "PIN_TEXT_MAX",
    "URL_MAX",
    "CarouselPlan",
    "board_problem",
    "board_section_problem",
    "check_article_title",
    "check_article_url",
    "check_carousel",
    "check_cover",
    "check_image",
    "check_image_url",
    "check_pin_link",
    "check_text",
    "check_video",
    "connection_problem",
    "image_size_problem",
    "inspect_image",
    "pin_warnings",
    "publish_problem",
    "schedule_problems",
    "schedule_time_problem",
    "schedule_window",
    "section_problem",
    "video_kind",
    "waiting_reason",
]

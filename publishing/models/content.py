"""Tenants, their members, blog projects (and their posting slots), articles, pins and carousels.

Pin status moves ``draft -> ready_to_schedule -> publishing -> published | error``. In a project
whose pins need approval, what an editor asks (schedule, queue, publish) waits in ``in_review``
first: an owner approves (the asked action happens) or sends it back to ``draft`` with a comment
(``publishing.services.content.review``, ``publishing.approvals``). Nothing publishes a pin in
review.
Every move into ``publishing`` is a compare-and-set in the database (see
``publishing.services``); the models only describe state.
"""

import uuid
import zoneinfo
from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from pinpublisher.timezones import zone_name_problem
from pinterest.limits import LINK_MAX
from publishing.conf import publishing_settings
from publishing.roles import Role, role_may

#: The longest title a pin, a carousel item and an article keep (their columns); Pinterest shows
#: ``pinterest.limits.TITLE_MAX`` of a pin's, and ``publishing.rules.texts`` reads these columns.
TITLE_MAX_LENGTH = 500


def validate_timezone(name: str) -> None:
    """An IANA time zone name (``Europe/Berlin``, ``UTC``): ``pinpublisher.timezones.zone_name_problem``."""
    problem = zone_name_problem(name)
    if problem:
        raise ValidationError(problem)


class Tenant(models.Model):
    name = models.CharField(max_length=150, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a tenant, with their role: what they may do is ``publishing.roles``'s."""

    Role = Role

    # OneToOne: a user belongs to exactly one tenant.
    user = models.OneToOneField(
        publishing_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"

    def may(self, action: str) -> bool:
        """Whether this member's role allows ``action`` (``publishing.roles``); the admin asks it
        without importing publishing."""
        return role_may(self.role, action)


class BlogProject(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    pinterest_connection = models.ForeignKey(
        "pinterest.PinterestConnection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    # The zone its posting slots, CSV dates without an offset and its calendar are read in.
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone],
        help_text="An IANA time zone name, e.g. Europe/Berlin.",
    )
    # Issue 29: an editor's schedule, queue or publish waits for an owner's approval.
    requires_approval = models.BooleanField(
        default=False,
        help_text="Pins need approval: what an editor asks (schedule, queue, publish) waits for an owner.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="uniq_project_name_per_tenant")
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The project's zone, to schedule in. A stored name that is no zone (a row from before the
        zone rule, or written by SQL) is a ValidationError on ``timezone`` saying to set one, never
        a guess; pages that only show times use ``pinpublisher.timezones.shown_zone`` instead."""
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise ValidationError({"timezone": [
                f"The project's time zone {self.timezone!r} is not a time zone; "
                "set an IANA name such as Europe/Berlin or UTC on the project."
            ]}) from err


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def validate_whole_minute(value: time) -> None:
    if value.second or value.microsecond:
        raise ValidationError("Give a time in whole minutes (09:30, not 09:30:15).")


class PostingSlot(models.Model):
    """A weekly posting time of a project, in the project's time zone ("Monday 09:00").

    Which slots are taken is never stored: a slot is taken while a pin of any project on the
    same Pinterest account is scheduled in that minute (``publishing.services.queue_slots``).
    """

    project = models.ForeignKey(BlogProject, on_delete=models.CASCADE, related_name="posting_slots")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    local_time = models.TimeField(validators=[validate_whole_minute], help_text="In the project's time zone.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "weekday", "local_time"], name="uniq_posting_slot_per_project"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="posting_slot_weekday_range"),
        ]
        ordering = ["project", "weekday", "local_time"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.local_time:%H:%M}"


class ArticleSource(models.TextChoices):
    MANUAL = "manual", "Added by hand (API, admin, CSV)"
    FEED = "feed", "From a feed"


class BlogArticle(models.Model):
    project = models.ForeignKey(BlogProject, on_delete=models.CASCADE, related_name="articles")
    url = models.URLField(max_length=LINK_MAX)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # From a feed (``publishing.services.content.feed_articles``): the entry's GUID and the page's
    # canonical URL are what an entry is matched on, so an edited entry updates its article.
    source = models.CharField(max_length=10, choices=ArticleSource.choices, default=ArticleSource.MANUAL)
    guid = models.CharField(max_length=LINK_MAX, blank=True)
    canonical_url = models.URLField(max_length=LINK_MAX, blank=True)
    description = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    #: What the page said of itself: Open Graph, Twitter card, JSON-LD (Article, BlogPosting, Recipe).
    metadata = models.JSONField(default=dict, blank=True)
    #: Images a pin could use, best first: ``{"url", "source", "width", "height", "alt"}``.
    image_candidates = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["project", "canonical_url"], name="article_canonical"),
            models.Index(fields=["project", "guid"], name="article_guid"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class PinStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY_TO_SCHEDULE = "ready_to_schedule", "Ready to schedule"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    ERROR = "error", "Error"
    IN_REVIEW = "in_review", "In review"


class ReviewAction(models.TextChoices):
    """What an editor asked for a pin in review; the approval does it (blank: nothing asked)."""

    NONE = "", "Nothing asked"
    SCHEDULE = "schedule", "Schedule at a time"
    QUEUE = "queue", "Add to the queue"
    PUBLISH = "publish", "Publish now"


class PublishTrigger(models.TextChoices):
    MANUAL = "manual", "Manual (API)"
    BULK = "bulk", "Bulk"
    SWEEP = "sweep", "Scheduled sweep"
    ADMIN = "admin", "Admin"


class PinKind(models.TextChoices):
    IMAGE = "image", "Image"
    CAROUSEL = "carousel", "Carousel"
    VIDEO = "video", "Video"


class MediaState(models.TextChoices):
    """Where a video pin's media stands in Pinterest's media flow (``POST /v5/media``, the
    upload, ``GET /v5/media/{media_id}``); blank before registering and for other pins."""

    NONE = "", "Not registered"
    REGISTERED = "registered", "Registered, not uploaded"
    UPLOADED = "uploaded", "Uploaded, processing"
    SUCCEEDED = "succeeded", "Processed"
    FAILED = "failed", "Processing failed"


class Pin(models.Model):
    # Statuses from which a person may publish (manual, bulk, admin).
    PUBLISHABLE_STATUSES = (PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE, PinStatus.ERROR)
    # Statuses in which a pin may be edited, scheduled or deleted; a pin in review may be (an owner's
    # schedule decides it, an editor's asks again), but it is never publishable.
    EDITABLE_STATUSES = (*PUBLISHABLE_STATUSES, PinStatus.IN_REVIEW)
    # The pin's own files (its carousel's images are on its items).
    FILE_FIELDS = ("image", "video", "cover_image")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(BlogProject, on_delete=models.CASCADE, related_name="pins")
    # PROTECT: an article with pins cannot be deleted (the pin's link is the article url).
    article = models.ForeignKey(BlogArticle, on_delete=models.PROTECT, related_name="pins")
    board = models.ForeignKey(
        "pinterest.Board", on_delete=models.PROTECT, null=True, blank=True, related_name="pins"
    )
    board_section = models.ForeignKey(
        "pinterest.BoardSection", on_delete=models.PROTECT, null=True, blank=True, related_name="pins",
        help_text="A section of the pin's board, or none.",
    )
    # What the pin shows: one image (image or image_url), 2-5 carousel items, or a video.
    kind = models.CharField(max_length=10, choices=PinKind.choices, default=PinKind.IMAGE)
    image = models.ImageField(upload_to="pins/%Y/%m/", blank=True)
    image_url = models.URLField(max_length=LINK_MAX, blank=True, help_text="An https image URL.")
    video = models.FileField(upload_to="videos/%Y/%m/", blank=True)
    cover_image = models.ImageField(upload_to="covers/%Y/%m/", blank=True)
    cover_image_url = models.URLField(max_length=LINK_MAX, blank=True)
    cover_key_frame_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="The video's frame at this second is the cover (when no cover image)."
    )
    # Pinterest's media id once registered: a publish resumed after a crash uses it again
    # instead of uploading the video twice.
    media_id = models.CharField(max_length=64, blank=True)
    media_state = models.CharField(max_length=12, choices=MediaState.choices, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    description = models.TextField(blank=True)
    alt_text = models.TextField(blank=True)
    #: Where the pin leads when not its article's URL (autopilot's link with UTM parameters).
    link = models.URLField(max_length=LINK_MAX, blank=True)
    status = models.CharField(max_length=20, choices=PinStatus.choices, default=PinStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    publishing_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Lease start of the current publish; see PUBLISH_LEASE_SECONDS."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the current publish began; a lost answer is resolved by looking for pins created since.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    pinterest_pin_id = models.CharField(max_length=64, blank=True)
    pinterest_pin_url = models.URLField(blank=True)
    error_message = models.TextField(blank=True)
    # The review (issue 29): what was asked, by whom and when; the owner's comment when sent back;
    # who decided last and when. ``scheduled_at`` holds the time asked for a schedule.
    review_action = models.CharField(max_length=10, choices=ReviewAction.choices, blank=True)
    review_requested_by = models.ForeignKey(
        publishing_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_requested_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        publishing_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Interval pinning: this pin is a copy of ``source_pin`` for another board.
    source_pin = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="interval_copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            # The sweep's due-pin query touches only ready pins: O(due pins), not O(all pins).
            models.Index(
                fields=["scheduled_at"],
                name="pin_ready_scheduled_idx",
                condition=Q(status="ready_to_schedule"),
            ),
            # Recovery finds pins whose publishing lease has expired.
            models.Index(
                fields=["publishing_started_at"],
                name="pin_publishing_lease_idx",
                condition=Q(status="publishing"),
            ),
            models.Index(fields=["project", "status"], name="pin_project_status_idx"),
        ]
        constraints = [
            # A pin on Pinterest is the outcome of exactly one of our pins: adopting a sibling's
            # pin after a lost answer would leave one of them unpublished while it says published.
            models.UniqueConstraint(
                fields=["pinterest_pin_id"],
                condition=~Q(pinterest_pin_id=""),
                name="uniq_pinterest_pin_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Pin {self.id}"

    @property
    def destination(self) -> str:
        """The link Pinterest is given: the pin's own, else its article's URL."""
        return self.link or self.article.url

    @property
    def has_image(self) -> bool:
        """Whether the pin has what its kind shows (a carousel's items are judged at input)."""
        if self.kind == PinKind.VIDEO:
            return bool(self.video)
        if self.kind == PinKind.CAROUSEL:
            return True
        return bool(self.image) or bool(self.image_url)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class CarouselItem(models.Model):
    """One image of a carousel pin (2-5 of them, in ``position`` order); each may have its own
    title, description and link, as Pinterest's ``multiple_image_*`` items allow."""

    pin = models.ForeignKey(Pin, on_delete=models.CASCADE, related_name="carousel_items")
    position = models.PositiveSmallIntegerField()
    image = models.ImageField(
        upload_to="pins/%Y/%m/", blank=True, width_field="width", height_field="height"
    )
    image_url = models.URLField(max_length=LINK_MAX, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    description = models.TextField(blank=True)
    link = models.URLField(max_length=LINK_MAX, blank=True)

    class Meta:
        ordering = ["pin", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pin", "position"], name="uniq_carousel_position"),
        ]

    def __str__(self) -> str:
        return f"Image {self.position + 1}"

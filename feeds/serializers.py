"""Serializers of the feeds API. No rules here: the address and kind are judged by
``feeds.services.feeds`` (the command calls the same service)."""

from rest_framework import serializers

from feeds.models import FeedHealth, FeedKind
from pinpublisher.api import ReadOnlyFields
from pinterest.limits import LINK_MAX


class FeedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    url = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=FeedKind.choices, read_only=True)
    detected_kind = serializers.CharField(read_only=True, help_text="The kind the last poll found (blank before).")
    is_active = serializers.BooleanField(read_only=True)
    health = serializers.ChoiceField(choices=FeedHealth.choices, read_only=True)
    last_error = serializers.CharField(read_only=True, help_text="Why the last poll failed (blank after a good one).")
    consecutive_failures = serializers.IntegerField(read_only=True)
    last_polled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_ok_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_poll_at = serializers.DateTimeField(read_only=True)
    articles_created = serializers.IntegerField(read_only=True)
    articles_updated = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class FeedInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(FeedSerializer)

    url = serializers.CharField(max_length=LINK_MAX, help_text="The feed's address: RSS 2.0, Atom, JSON Feed or a "
                                "sitemap, on a public address.")
    kind = serializers.ChoiceField(choices=FeedKind.choices, required=False, help_text="Default: auto (detected).")
    is_active = serializers.BooleanField(required=False, help_text="Whether it is polled (default true).")


class ProjectFeedHealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["none", FeedHealth.OK, FeedHealth.FAILING], read_only=True)
    feeds = serializers.IntegerField(read_only=True, help_text="Active feeds.")
    failing = serializers.IntegerField(read_only=True)
    last_ok_at = serializers.DateTimeField(read_only=True, allow_null=True)
    problem = serializers.CharField(read_only=True, help_text="The first failing feed's address and reason.")
    line = serializers.CharField(read_only=True, help_text="One line saying all of it, as the planner shows it.")

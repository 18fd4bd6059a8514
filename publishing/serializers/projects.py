"""Projects and articles: their output and input serializers, and the article list's filter."""

from rest_framework import serializers

from pinpublisher.api import IdField, ReadOnlyFields
from publishing.models import ArticleSource
from publishing.rules import ARTICLE_TITLE_MAX, URL_MAX


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    pinterest_connection = serializers.IntegerField(
        source="pinterest_connection_id", read_only=True, allow_null=True
    )
    timezone = serializers.CharField(read_only=True)
    requires_approval = serializers.BooleanField(
        read_only=True, help_text="Pins need approval: an editor's schedule, queue or publish waits for an owner."
    )
    created_at = serializers.DateTimeField(read_only=True)


class ProjectInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(ProjectSerializer)

    name = serializers.CharField(max_length=200, help_text="Unique within your tenant.")
    pinterest_connection = IdField(
        source="pinterest_connection_id",
        allow_null=True,
        default=None,
        help_text="Id of one of your Pinterest connections, or null.",
    )
    timezone = serializers.CharField(
        max_length=64,
        default="UTC",
        help_text="IANA time zone name (Europe/Berlin); the project's posting slots, CSV dates without "
        "an offset and its calendar are read in it.",
    )
    requires_approval = serializers.BooleanField(
        default=False,
        help_text="Pins need approval: an editor's schedule, queue or publish puts the pin in review "
        "until an owner approves (POST /api/pins/<id>/approve/). Only an owner may change it.",
    )


# --- Articles --------------------------------------------------------------------------------


class ArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True)
    url = serializers.URLField(read_only=True)
    title = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    # From a project's feed (issue 28); blank for an article added by hand.
    source = serializers.ChoiceField(choices=ArticleSource.choices, read_only=True)
    guid = serializers.CharField(read_only=True, help_text="The feed entry's id (GUID, Atom id, JSON Feed id).")
    canonical_url = serializers.CharField(read_only=True, help_text="The page's canonical address: what dedupes.")
    description = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    image_candidates = serializers.ListField(
        child=serializers.DictField(), read_only=True,
        help_text="Images a pin could use, best first: {url, source (feed, og, json_ld, twitter, page), width, "
        "height, alt}.",
    )
    metadata = serializers.DictField(read_only=True, help_text="What the page said: og, twitter, json_ld.")
    synced_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Last written from its feed.")


class ArticleInputSerializer(serializers.Serializer):
    read_only_fields = ReadOnlyFields(ArticleSerializer)

    project = IdField(source="project_id", help_text="Id of one of your projects.")
    url = serializers.URLField(max_length=URL_MAX, help_text="The article's http(s) URL: the pin's link.")
    title = serializers.CharField(max_length=ARTICLE_TITLE_MAX, allow_blank=True, default="")


class ArticleFilterSerializer(serializers.Serializer):
    project = IdField(required=False, help_text="Only this project's articles.")

"""The reads of the designs app: a project's style and an article's images, within a tenant."""

from __future__ import annotations

from django.db import models

from designs.conf import designs_settings
from designs.models import DesignedPin, DesignStyle
from designs.render import Style
from designs.render.images import ImageSource
from publishing.models import BlogArticle, BlogProject, CarouselItem, Pin

#: An article's images used for designs, at most (a collage takes four; the others one).
MAX_SOURCES = 6


def project_design_style(*, project: BlogProject) -> DesignStyle:
    """The project's style, or an unsaved one with the defaults."""
    try:
        return DesignStyle.objects.get(project=project)
    except DesignStyle.DoesNotExist:
        return DesignStyle(project=project)


def style_for_render(*, style: DesignStyle) -> Style:
    """The renderer's ``Style`` of a project's ``DesignStyle`` (its logo as a stored file's path)."""
    fallbacks = designs_settings.DESIGNS_FALLBACK_FONTS
    return Style(
        background=style.background_color,
        text=style.text_color,
        accent=style.accent_color,
        family=style.font_family,
        footer_text=style.footer_text,
        logo=_source(style.logo) if style.logo else None,
        fallback_fonts=None if fallbacks is None else tuple(fallbacks),
    )


def _source(file: models.fields.files.FieldFile) -> ImageSource:
    """A stored image as the renderer takes it: its path on disk, or its bytes from another storage."""
    try:
        return file.path
    except NotImplementedError:
        with file.open("rb") as handle:
            return handle.read()


def article_image_sources(*, article: BlogArticle) -> list[ImageSource]:
    """The article's images, best first: image fields of the article itself (the feed's image and
    candidates, when the article has them), then the stored images of its pins and their carousel
    items, oldest first; each file once, at most ``MAX_SOURCES``."""
    files: list[models.fields.files.FieldFile] = [
        getattr(article, field.name) for field in article._meta.get_fields()
        if isinstance(field, models.ImageField) and getattr(article, field.name)
    ]
    designed = DesignedPin.objects.filter(pin__article=article).values("pin_id")
    pins = Pin.objects.filter(article=article).exclude(image="").exclude(pk__in=designed).order_by("created_at", "id")
    files += [pin.image for pin in pins[:MAX_SOURCES]]
    items = CarouselItem.objects.filter(pin__article=article).exclude(image="").order_by("pin__created_at", "position")
    files += [item.image for item in items[:MAX_SOURCES]]
    names: dict[str, ImageSource] = {}
    for file in files:
        if file.name and file.name not in names and len(names) < MAX_SOURCES:
            names[file.name] = _source(file)
    return list(names.values())


def article_for_designs(*, project: BlogProject, article_id: int) -> BlogArticle | None:
    return BlogArticle.objects.filter(project=project, pk=article_id).first()


def article_designed_pins(*, article: BlogArticle) -> list[DesignedPin]:
    """The pins already made from the article's designs, newest first."""
    return list(DesignedPin.objects.filter(pin__article=article).select_related("pin").order_by("-created_at"))

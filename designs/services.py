"""The designs app's writes and renders: a project's style, an article's designs, and the pins a
person picks from them.

A picked design becomes a draft pin through publishing's ``pin_create``, the service a person's
pin goes through (its rules, its file storage), with the rendered image (a JPEG with a photo, a
PNG of text) as the uploaded image, the article's title (cut at a word to Pinterest's 100
characters) as title and alt text. A design with characters no font has is refused: its title
would be missing letters.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction

from audit import record as audit_trail
from designs.cache import render_cached
from designs.models import DesignedPin, DesignStyle
from designs.render import TEMPLATES, DesignInput, Rendered
from designs.render.images import ImageSource
from designs.selectors import article_image_sources, project_design_style, style_for_render
from pinterest.limits import TITLE_MAX
from publishing.conf import publishing_settings
from publishing.models import BlogArticle, BlogProject, Pin, Tenant
from publishing.rules import check_image
from publishing.services.content import pin_create

STYLE_FIELDS = ("background_color", "text_color", "accent_color", "font_family", "footer_text")
MAX_PICKS = 8


def template_problem(template: str) -> str | None:
    if template not in TEMPLATES:
        return f"Unknown template {template!r}; one of: {', '.join(TEMPLATES)}."
    return None


def design_render(
    *, article: BlogArticle, template: str, variant: int = 0, images: list[ImageSource] | None = None
) -> Rendered:
    """The article drawn with ``template`` in its project's style; ``variant`` turns the order of
    the article's images (another photo first). ``images``: the article's images when the caller
    has them (autopilot's downloads), else its stored ones. From the cache when drawn before with
    the same inputs (``designs.cache``). ValidationError on ``template`` when unknown."""
    problem = template_problem(template)
    if problem:
        raise ValidationError({"template": [problem]})
    sources = list(images) if images is not None else article_image_sources(article=article)
    if sources:
        turn = variant % len(sources)
        sources = sources[turn:] + sources[:turn]
    style = style_for_render(style=project_design_style(project=article.project))
    design = DesignInput(title=article.title or article.url, images=tuple(sources), style=style,
                         max_pixels=publishing_settings.PIN_IMAGE_MAX_PIXELS,
                         max_decoded_pixels=publishing_settings.PIN_IMAGE_CONVERTED_MAX_PIXELS)
    return render_cached(template=template, variant=variant, design=design)


def cut_title(title: str, limit: int = TITLE_MAX) -> str:
    """``title`` at most ``limit`` characters, cut at a word boundary when it is longer."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit + 1].rsplit(" ", 1)[0]
    return (cut if cut and len(cut) <= limit else title[:limit]).rstrip(" ,.;:-")


def design_pins_create(*, tenant: Tenant, article: BlogArticle, picks: list[tuple[str, int]]) -> list[Pin]:
    """A draft pin for each picked (template, variant) of ``article``, all or none.
    ValidationError naming ``picks`` or ``template`` when one cannot be made."""
    if not picks:
        raise ValidationError({"picks": ["Pick at least one design."]})
    if len(picks) > MAX_PICKS:
        raise ValidationError({"picks": [f"At most {MAX_PICKS} designs at once."]})
    renders = []
    for template, variant in picks:
        rendered = design_render(article=article, template=template, variant=variant)
        if rendered.missing_chars:
            raise ValidationError({"template": [
                f"The title has characters no installed font has ({''.join(rendered.missing_chars)}): "
                "install a font for its script (DESIGNS_FALLBACK_FONTS) before making pins of it."
            ]})
        renders.append((rendered, variant))
    title = cut_title(article.title)
    with transaction.atomic():
        return [design_pin_create(tenant=tenant, article=article, rendered=rendered, variant=variant,
                                  title=title, alt_text=title) for rendered, variant in renders]


def design_pin_create(
    *, tenant: Tenant, article: BlogArticle, rendered: Rendered, variant: int, title: str, alt_text: str,
    description: str = "", board_id: int | None = None, link: str = "",
) -> Pin:
    """A draft pin of ``article`` showing the rendered design (``pin_create``'s rules), recorded
    as a designed pin (so the article's images leave its image out)."""
    image = SimpleUploadedFile(f"design-{rendered.template}.{rendered.extension}", rendered.data,
                               content_type=rendered.media_type)
    pin = pin_create(tenant=tenant, project_id=article.project_id, article_id=article.pk, board_id=board_id,
                     title=title, description=description, alt_text=alt_text, image=image, link=link)
    DesignedPin.objects.create(pin=pin, template=rendered.template, variant=variant)
    return pin


def design_style_update(
    *, project: BlogProject, data: dict[str, Any], logo: UploadedFile | None = None, remove_logo: bool = False
) -> DesignStyle:
    """Set the project's style from ``data`` (any of ``STYLE_FIELDS``) and an optional logo
    (publishing's image rules). ValidationError naming each refused field."""
    style = project_design_style(project=project)
    before = audit_trail.snapshot(style) if style.pk else {}
    errors: dict[str, list[str]] = {}
    for name in data:
        if name not in STYLE_FIELDS:
            errors.setdefault(name, []).append(f"Unknown field; the style takes: {', '.join(STYLE_FIELDS)}.")
    for name in STYLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(style, name, value.strip() if isinstance(value, str) else value)
    extension = check_image(logo, errors, field="logo") if logo is not None else None
    try:
        style.full_clean(exclude=["logo", "project"])
    except ValidationError as err:
        for field, messages in err.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    old_logo = style.logo.name if style.logo and (remove_logo or logo is not None) else ""
    if remove_logo:
        style.logo = None
    if logo is not None:
        style.logo.save(f"logo.{extension}", logo, save=False)
    with transaction.atomic():
        style.save()
        audit_trail.record("design_style.update", style, before=before)
    if old_logo:
        transaction.on_commit(lambda: style.logo.storage.delete(old_logo))
    return style


def design_style_delete(*, style: DesignStyle) -> None:
    """Back to the defaults: the style and its logo file go."""
    logo = style.logo.name if style.logo else ""
    storage = style.logo.storage
    with transaction.atomic():
        before, style_id = audit_trail.snapshot(style), style.pk
        style.delete()
        audit_trail.record("design_style.delete", style, before=before, after=None, object_id=style_id)
    if logo:
        transaction.on_commit(lambda: storage.delete(logo))

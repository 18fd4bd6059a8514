"""A project's look for its pin designs: colours, font family and footer (a domain or a logo)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from designs.render.fonts import DEFAULT_FAMILY, FAMILIES

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour as #rrggbb, e.g. #1f2a44.")
FOOTER_MAX = 60


class FontFamily(models.TextChoices):
    SANS = "sans", "Sans (DejaVu Sans Bold)"
    SERIF = "serif", "Serif (DejaVu Serif Bold)"


assert set(FontFamily.values) == set(FAMILIES) and DEFAULT_FAMILY in FAMILIES


class DesignStyle(models.Model):
    """One per project; a project without one is drawn in the defaults (``unsaved_default``)."""

    project = models.OneToOneField("publishing.BlogProject", on_delete=models.CASCADE, related_name="design_style")
    background_color = models.CharField(max_length=7, default="#1f2a44", validators=[HEX_COLOUR])
    text_color = models.CharField(max_length=7, default="#ffffff", validators=[HEX_COLOUR])
    accent_color = models.CharField(max_length=7, default="#e60023", validators=[HEX_COLOUR])
    font_family = models.CharField(max_length=16, choices=FontFamily.choices, default=FontFamily.SANS)
    footer_text = models.CharField(
        max_length=FOOTER_MAX, blank=True, help_text="Shown at the foot of each design, e.g. the blog's domain."
    )
    logo = models.ImageField(
        upload_to="design-logos/%Y/%m/", blank=True, help_text="Shown instead of the footer text when set."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Design style of {self.project}"


class DesignedPin(models.Model):
    """A pin made from a design: which template drew it. Its image is not one of the article's
    own (a design of a design would frame the frame), so the article's images leave it out."""

    pin = models.OneToOneField("publishing.Pin", on_delete=models.CASCADE, related_name="design")
    template = models.CharField(max_length=32)
    variant = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.template} design of pin {self.pin_id}"

"""The planner's pin designs (issue 28): an article's designs side by side, regenerated with
another template or another photo, and the picked ones made into draft pins.

- ``/planner/designs/``: the tenant's articles (by project), each leading to its designs;
- ``/planner/articles/<id>/designs/?d=photo_band.0&d=split.0...``: one card per design (a
  template and a variant: which of the article's photos comes first), rendered in the project's
  style, with why a design fell back (no usable image); the query string is the page's whole
  state, so regenerating is a plain GET form and the page works without scripts;
- ``/planner/articles/<id>/designs/<template>.png?v=``: a design at full size;
- ``POST /planner/articles/<id>/designs/pins/``: the picked designs become draft pins through
  ``designs.services.design_pins_create`` (publishing's ``pin_create``, as a person's pin);
- ``POST /planner/projects/<id>/design-style/``: the project's colours, font and footer
  (``designs.services.design_style_update``).

Thin: the tenant (``access``), the article within it (another tenant's is a 404), one service call.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from PIL import Image

from designs.models import DesignStyle
from designs.render import TEMPLATES, Rendered
from designs.selectors import article_designed_pins, project_design_style
from designs.services import design_pins_create, design_render, design_style_update
from planner.access import tenant_member_required
from publishing import selectors
from publishing.models import BlogArticle, Tenant

MAX_CARDS = 8
THUMB_SIZE = (400, 600)


@dataclass(frozen=True)
class Card:
    index: int
    template: str
    variant: int
    rendered: Rendered
    thumbnail: str  # a data: URL (JPEG), so the page renders each design once

    @property
    def key(self) -> str:
        return f"{self.template}.{self.variant}"

    @property
    def label(self) -> str:
        return TEMPLATES[self.rendered.template].label


class StyleForm(forms.ModelForm):
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    class Meta:
        model = DesignStyle
        fields = ["background_color", "text_color", "accent_color", "font_family", "footer_text", "logo"]
        widgets = {name: forms.TextInput(attrs={"type": "color"})
                   for name in ("background_color", "text_color", "accent_color")}
        labels = {"background_color": "Background", "text_color": "Text", "accent_color": "Accent"}


def _article(tenant: Tenant, article_id: int) -> BlogArticle:
    article = selectors.article_for_tenant(tenant=tenant, article_id=article_id)
    if article is None:
        raise Http404("No such article.")
    return article


def parse_slots(values: list[str]) -> list[tuple[str, int]]:
    """The page's designs from ``d=template.variant`` values (unknown ones skipped); one per
    template when none is given."""
    slots = []
    for value in values[:MAX_CARDS]:
        template, _dot, variant = value.partition(".")
        if template in TEMPLATES:
            slots.append((template, int(variant) % 100 if variant.isdigit() else 0))
    return slots or [(name, 0) for name in TEMPLATES]


def _thumbnail(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", THUMB_SIZE)  # a JPEG design decodes at half scale (a PNG whole)
        small = image.resize(THUMB_SIZE, Image.Resampling.BOX)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _query(slots: list[tuple[str, int]]) -> str:
    return urlencode([("d", f"{template}.{variant}") for template, variant in slots])


@require_GET
@tenant_member_required
def article_list(request: HttpRequest, *, tenant: Tenant) -> HttpResponse:
    projects = selectors.projects_for_tenant(tenant=tenant)
    project_id = request.GET.get("project", "")
    chosen = projects.filter(pk=int(project_id)).first() if project_id.isdigit() else None
    articles = selectors.articles_for_tenant(tenant=tenant, project_id=chosen.pk if chosen else None)
    page = Paginator(articles.select_related("project"), 20).get_page(request.GET.get("page"))
    return render(request, "planner/designs_list.html", {
        "nav": "designs", "page": page, "projects": projects, "project": chosen,
    })


@require_GET
@tenant_member_required
def article_designs(request: HttpRequest, article_id: int, *, tenant: Tenant) -> HttpResponse:
    article = _article(tenant, article_id)
    slots = parse_slots(request.GET.getlist("d"))
    cards = []
    for index, (template, variant) in enumerate(slots):
        rendered = design_render(article=article, template=template, variant=variant)
        cards.append(Card(index, template, variant, rendered, _thumbnail(rendered.data)))
    style = project_design_style(project=article.project)
    return render(request, "planner/designs.html", {
        "nav": "designs", "article": article, "cards": cards, "templates": TEMPLATES,
        "query": _query(slots), "slots": slots, "style_form": StyleForm(instance=style), "style": style,
        "add_query": _query([*slots, ("text", 0)]) if len(slots) < MAX_CARDS else "",
        "designed": article_designed_pins(article=article)[:12],
    })


@require_GET
@tenant_member_required
def design_png(request: HttpRequest, article_id: int, template: str, *, tenant: Tenant) -> HttpResponse:
    article = _article(tenant, article_id)
    if template not in TEMPLATES:
        raise Http404("No such template.")
    variant = request.GET.get("v", "0")
    rendered = design_render(article=article, template=template, variant=int(variant) if variant.isdigit() else 0)
    response = HttpResponse(rendered.data, content_type=rendered.media_type)
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@tenant_member_required
def design_pins(request: HttpRequest, article_id: int, *, tenant: Tenant) -> HttpResponse:
    article = _article(tenant, article_id)
    values = request.POST.getlist("pick")
    picks = parse_slots(values) if values else []
    back = reverse("planner:article-designs", args=[article.pk]) + "?" + request.POST.get("query", "")
    try:
        pins = design_pins_create(tenant=tenant, article=article, picks=picks)
    except ValidationError as err:
        for field, reasons in err.message_dict.items():
            messages.error(request, f"{field}: {' '.join(reasons)}")
        return HttpResponseRedirect(back)
    messages.success(request, f"{len(pins)} draft pin{'s' if len(pins) != 1 else ''} made from the designs: "
                              "give each a board and schedule it from the pins list.")
    return HttpResponseRedirect(back)


@require_POST
@tenant_member_required
def style_update(request: HttpRequest, project_id: int, *, tenant: Tenant) -> HttpResponse:
    project = selectors.projects_for_tenant(tenant=tenant).filter(pk=project_id).first()
    if project is None:
        raise Http404("No such project.")
    article_id = request.POST.get("article", "")
    back = (reverse("planner:article-designs", args=[int(article_id)]) if article_id.isdigit()
            else reverse("planner:designs")) + "?" + request.POST.get("query", "")
    data = {name: request.POST[name] for name in
            ("background_color", "text_color", "accent_color", "font_family", "footer_text") if name in request.POST}
    try:
        design_style_update(project=project, data=data, logo=request.FILES.get("logo"),
                            remove_logo=request.POST.get("remove_logo") == "on")
    except ValidationError as err:
        for field, reasons in err.message_dict.items():
            messages.error(request, f"{field.replace('_', ' ')}: {' '.join(reasons)}")
        return HttpResponseRedirect(back)
    messages.success(request, f"The design style of {project.name} is saved.")
    return HttpResponseRedirect(back)

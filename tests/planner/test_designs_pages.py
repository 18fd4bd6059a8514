"""The planner's designs: the articles list, an article's designs side by side (one per template,
each regenerated with another template or photo through the query string), the picked designs made
into draft pins, the project's style saved, all within the member's tenant."""

import pytest

from designs.models import DesignStyle
from publishing.models import Pin, PinStatus
from tests.factories import make_article, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, tenant):
    client.force_login(make_user(tenant))
    return client


@pytest.fixture
def article(tenant):
    return make_article(project=make_project(tenant=tenant, name="Kitchen"), title="Ten easy weeknight dinners")


def test_the_designs_list_shows_the_tenants_articles_only(member, article):
    other = make_article(project=make_project(tenant=make_tenant()), title="Someone else's")
    page = member.get("/planner/designs/").content.decode()
    assert article.title in page and other.title not in page


def test_an_articles_page_shows_one_design_per_template_side_by_side(member, article):
    page = member.get(f"/planner/articles/{article.pk}/designs/").content.decode()
    assert page.count('class="pl-card ds-card"') == 4
    assert page.count("data:image/jpeg;base64,") == 4
    assert "no usable image: the article has no image" in page  # the image templates fell back


def test_regenerating_a_design_with_another_template_is_a_query(member, article):
    page = member.get(f"/planner/articles/{article.pk}/designs/?d=text.0&d=collage.2&d=nonsense.1").content.decode()
    assert page.count('class="pl-card ds-card"') == 2
    assert 'data-requested="collage"' in page


def test_picked_designs_become_draft_pins(member, article):
    answer = member.post(f"/planner/articles/{article.pk}/designs/pins/", {"pick": ["text.0", "split.0"], "query": ""})
    assert answer.status_code == 302
    pins = Pin.objects.filter(article=article)
    assert pins.count() == 2 and {pin.status for pin in pins} == {PinStatus.DRAFT}
    assert "2 draft pins made" in member.get(answer["Location"]).content.decode()


def test_picking_nothing_says_so_and_makes_nothing(member, article):
    answer = member.post(f"/planner/articles/{article.pk}/designs/pins/", {"query": ""}, follow=True)
    assert "Pick at least one design" in answer.content.decode()
    assert not Pin.objects.exists()


def test_the_style_form_saves_through_the_service_and_refuses_a_bad_colour(member, article):
    url = f"/planner/projects/{article.project_id}/design-style/"
    member.post(url, {"background_color": "#203040", "text_color": "#ffffff", "accent_color": "#ff0000",
                      "font_family": "serif", "footer_text": "kitchen.example", "article": article.pk})
    style = DesignStyle.objects.get(project=article.project)
    assert (style.background_color, style.font_family, style.footer_text) == ("#203040", "serif", "kitchen.example")
    page = member.post(url, {"background_color": "blue", "article": article.pk}, follow=True).content.decode()
    assert "background color" in page and DesignStyle.objects.get().background_color == "#203040"


def test_another_tenants_article_and_project_are_not_found(member):
    other = make_article(project=make_project(tenant=make_tenant()))
    assert member.get(f"/planner/articles/{other.pk}/designs/").status_code == 404
    assert member.get(f"/planner/articles/{other.pk}/designs/text.png").status_code == 404
    assert member.post(f"/planner/articles/{other.pk}/designs/pins/", {"pick": ["text.0"]}).status_code == 404
    assert member.post(f"/planner/projects/{other.project_id}/design-style/", {}).status_code == 404


def test_a_design_at_full_size_is_a_png(member, article):
    answer = member.get(f"/planner/articles/{article.pk}/designs/split.png?v=1")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"

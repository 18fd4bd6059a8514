"""The admin's design styles: written through the designs service (a bad colour is shown on its
field and nothing saved), scoped to the staff user's tenant, deleted back to the defaults."""

import pytest

from designs.models import DesignStyle
from designs.services import design_style_update
from tests.factories import make_project, make_tenant

pytestmark = pytest.mark.django_db

FIELDS = {"background_color": "#102030", "text_color": "#ffffff", "accent_color": "#ff0000",
          "font_family": "serif", "footer_text": "kitchen.example"}


def test_a_style_is_added_and_a_bad_colour_is_refused_on_its_field(admin_user_client, tenant):
    project = make_project(tenant=tenant)
    answer = admin_user_client.post("/admin/designs/designstyle/add/", {"project": project.pk, **FIELDS})
    assert answer.status_code == 302
    style = DesignStyle.objects.get(project=project)
    assert (style.background_color, style.font_family) == ("#102030", "serif")
    refused = admin_user_client.post(f"/admin/designs/designstyle/{style.pk}/change/",
                                     {**FIELDS, "accent_color": "crimson"})
    assert refused.status_code == 200 and "#rrggbb" in refused.content.decode()
    assert DesignStyle.objects.get().accent_color == "#ff0000"


def test_another_tenants_style_is_not_listed_and_a_delete_goes_back_to_the_defaults(client, tenant):
    from tests.factories import make_user

    client.force_login(make_user(tenant=tenant, is_staff=True))
    mine = design_style_update(project=make_project(tenant=tenant, name="Mine"), data={"footer_text": "mine.example"})
    theirs = make_project(tenant=make_tenant(), name="Theirs")
    design_style_update(project=theirs, data={"footer_text": "theirs.example"})
    page = client.get("/admin/designs/designstyle/").content.decode()
    assert "mine.example" in page and "theirs.example" not in page
    assert client.post(f"/admin/designs/designstyle/{mine.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not DesignStyle.objects.filter(pk=mine.pk).exists()

"""Carousel rows the admin refuses (two rows with one position) change nothing about the pin: the
rows show their errors and the pin's other changes are not written either."""

import pytest
from django.urls import reverse

from publishing.models import Pin
from publishing.services import content
from tests.factories import make_article, make_board, make_connection, make_project

pytestmark = pytest.mark.django_db


def test_a_carousel_row_the_admin_refuses_leaves_the_pin_unchanged(admin_user_client, tenant):
    connection = make_connection(tenant=tenant)
    board, project = make_board(connection=connection), make_project(tenant=tenant, connection=connection)
    pin = content.pin_create(tenant=tenant, project_id=project.pk, article_id=make_article(project=project).pk,
                             board_id=board.pk, title="Old", carousel=[
                                 {"image_url": "https://i.example.com/1.jpg"},
                                 {"image_url": "https://i.example.com/2.jpg"}])
    url = reverse("admin:publishing_pin_change", args=[pin.pk])
    form = admin_user_client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "scheduled_at":
            data.update({"scheduled_at_0": "", "scheduled_at_1": ""})
        elif name not in ("image", "video", "cover_image"):
            data[name] = "" if value is None else value
    data["title"] = "New"
    data.update({"attempts-TOTAL_FORMS": "0", "attempts-INITIAL_FORMS": "0", "attempts-MIN_NUM_FORMS": "0",
                 "attempts-MAX_NUM_FORMS": "1000", "carousel_items-TOTAL_FORMS": "2",
                 "carousel_items-INITIAL_FORMS": "2", "carousel_items-MIN_NUM_FORMS": "0",
                 "carousel_items-MAX_NUM_FORMS": "5"})
    for index, item in enumerate(pin.carousel_items.all()):
        data.update({f"carousel_items-{index}-id": item.pk, f"carousel_items-{index}-pin": pin.pk,
                     f"carousel_items-{index}-position": "0",  # the same position twice
                     f"carousel_items-{index}-image_url": item.image_url,
                     f"carousel_items-{index}-title": "", f"carousel_items-{index}-description": "",
                     f"carousel_items-{index}-link": ""})
    response = admin_user_client.post(url, data)
    assert response.status_code == 200  # the admin shows the rows' errors: "nothing was saved"
    assert Pin.objects.get(pk=pin.pk).title == "Old"

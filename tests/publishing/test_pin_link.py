"""A pin's own link through the API: read and written by pin_create/pin_update's rule (an http(s)
URL of at most LINK_MAX characters; blank leads to the article's URL), sent to Pinterest, audited."""

import pytest

from audit.models import AuditEvent
from pinterest.limits import LINK_MAX
from publishing.engine import pin_publish
from publishing.models import Pin
from tests.factories import make_article
from tests.publishing import test_api_pins
from tests.publishing.helpers import standin_pins

pytestmark = pytest.mark.django_db

# The pins API tests' project, board and article, and a draft pin of them.
setup, pin, pin_json = test_api_pins.setup, test_api_pins.pin, test_api_pins.pin_json

UTM_LINK = "https://blog.example.com/soup?utm_source=pinterest&utm_medium=social"


def test_api_create_with_a_link_stores_and_shows_it(tenant_api, setup):
    response = tenant_api.post("/api/pins/", pin_json(setup, link=UTM_LINK), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["link"] == UTM_LINK
    assert Pin.objects.get().link == UTM_LINK


def test_api_create_without_a_link_shows_null_for_the_articles_url(tenant_api, setup):
    response = tenant_api.post("/api/pins/", pin_json(setup), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["link"] is None and Pin.objects.get().link == ""


@pytest.mark.parametrize(
    "link, message",
    [
        ("ftp://blog.example.com/a", "Must be an http or https URL."),
        ("not a url", "Must be an http or https URL."),
        ("https://blog.example.com/" + "a" * (LINK_MAX - 24),
         f"This URL is {LINK_MAX + 1} characters long; at most {LINK_MAX} are accepted."),
    ],
)
def test_api_create_with_a_bad_link_is_a_400_naming_link_and_creates_nothing(tenant_api, setup, link, message):
    response = tenant_api.post("/api/pins/", pin_json(setup, link=link), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["link"] == [message]
    assert not Pin.objects.exists()


def test_api_update_sets_and_clears_the_link(tenant_api, pin):
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"link": UTM_LINK}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["link"] == UTM_LINK and Pin.objects.get(pk=pin.pk).link == UTM_LINK

    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"link": ""}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["link"] is None and Pin.objects.get(pk=pin.pk).link == ""


def test_api_update_without_link_keeps_it(tenant_api, pin):
    Pin.objects.filter(pk=pin.pk).update(link=UTM_LINK)
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 200, response.content
    assert Pin.objects.get(pk=pin.pk).link == UTM_LINK


def test_api_update_with_a_bad_link_is_a_400_naming_link_and_changes_nothing(tenant_api, pin):
    response = tenant_api.patch(f"/api/pins/{pin.pk}/", {"link": "mailto:me@example.com", "title": "New"},
                                format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["link"] == ["Must be an http or https URL."]
    fresh = Pin.objects.get(pk=pin.pk)
    assert (fresh.link, fresh.title) == ("", pin.title)


def test_a_link_change_is_audited_with_its_before_and_after(tenant_api, pin):
    tenant_api.patch(f"/api/pins/{pin.pk}/", {"link": UTM_LINK}, format="json")
    tenant_api.patch(f"/api/pins/{pin.pk}/", {"link": ""}, format="json")
    events = AuditEvent.objects.filter(action="pin.update", object_id=str(pin.pk)).order_by("pk")
    assert [event.changes["link"] for event in events] == [["", UTM_LINK], [UTM_LINK, ""]]


def test_a_blank_link_sends_the_articles_url_and_a_given_one_itself(standin):
    blank, own = standin_pins(standin, count=2)
    Pin.objects.filter(pk=own.pk).update(link=UTM_LINK)
    article = make_article(project=own.project, url="https://blog.example.com/other")
    Pin.objects.filter(pk=own.pk).update(article=article)
    for published in (blank, own):
        assert pin_publish(pin_id=published.pk, trigger="manual").success
    links = {remote["link"] for remote in standin.pins(blank.board.pinterest_board_id)}
    assert links == {blank.article.url, UTM_LINK}

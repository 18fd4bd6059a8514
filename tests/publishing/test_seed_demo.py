import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from publishing.engine import pin_publish
from publishing.models import BlogArticle, Pin, PinKind, PinStatus, Tenant
from publishing.services.demo import DEMO_VIDEO, REFUSED_TITLE, demo_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_tokens(standin):
    user = standin.seed_demo()
    return standin.issue_tokens(user)


def test_seed_demo_creates_every_kind_of_pin_with_real_images(demo_tokens):
    seeded = demo_seed(access_token=demo_tokens[0], refresh_token=demo_tokens[1])
    pins = Pin.objects.filter(project__tenant=seeded.tenant)
    assert pins.count() == 14
    assert BlogArticle.objects.filter(project__tenant=seeded.tenant).count() == 5
    assert seeded.connection.boards.count() == 3
    ready = pins.filter(status=PinStatus.READY_TO_SCHEDULE)
    assert ready.count() == 11 and pins.filter(status=PinStatus.DRAFT).count() == 3
    assert len(seeded.due_pin_ids) == 6 and seeded.refused_pin_id
    with pins.get(title=REFUSED_TITLE).image.open() as handle, Image.open(handle) as image:
        assert image.size == (60, 60)
    with pins.filter(kind=PinKind.IMAGE).exclude(title=REFUSED_TITLE).first().image.open() as handle, \
            Image.open(handle) as image:
        assert image.size == (1000, 1500)
    carousel, video = pins.get(kind=PinKind.CAROUSEL), pins.get(kind=PinKind.VIDEO)
    assert [item.title for item in carousel.carousel_items.all()] == ["Step 1", "Step 2", "Step 3"]
    assert video.video.size == DEMO_VIDEO.stat().st_size and video.board_section.name == "Desserts"
    assert {str(carousel.pk), str(video.pk)} <= set(seeded.due_pin_ids)
    assert get_user_model().objects.get(username="demo").check_password(seeded.password)


def test_seed_demo_twice_duplicates_nothing_and_gives_a_new_password_and_key(demo_tokens):
    first = demo_seed(access_token=demo_tokens[0])
    second = demo_seed(access_token=demo_tokens[0])
    assert second.pins_created == 0 and second.pins_total == 14
    assert Tenant.objects.count() == 1 and Pin.objects.count() == 14
    assert first.password != second.password
    # A key is shown once, so each run makes a new one and revokes the one before.
    assert first.api_key != second.api_key
    assert APIClient(HTTP_AUTHORIZATION=f"Token {first.api_key}").get("/api/pins/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION=f"Token {second.api_key}").get("/api/pins/").status_code == 200


def test_the_refused_demo_pin_fails_with_the_standins_message(standin, demo_tokens):
    standin.set_min_image_px(100)
    seeded = demo_seed(access_token=demo_tokens[0])
    result = pin_publish(pin_id=seeded.refused_pin_id)
    assert not result.success and "Image is too small" in result.error
    assert pin_publish(pin_id=seeded.due_pin_ids[0]).success


def test_seed_demo_command_prints_json_and_refuses_an_unset_token_variable(demo_tokens, monkeypatch):
    monkeypatch.setenv("DEMO_TOKEN", demo_tokens[0])
    out = io.StringIO()
    call_command("seed_demo", "--token-env", "DEMO_TOKEN", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["pins_total"] == 14 and data["connection"] == "@demo"
    monkeypatch.delenv("MISSING_TOKEN", raising=False)
    with pytest.raises(CommandError, match="MISSING_TOKEN is not set"):
        call_command("seed_demo", "--token-env", "MISSING_TOKEN")


def test_the_demo_login_is_the_tenants_staff_owner_unless_a_superuser_is_asked_for(demo_tokens):
    seeded = demo_seed(access_token=demo_tokens[0])
    user = get_user_model().objects.get(username=seeded.username)
    assert user.is_staff and not user.is_superuser
    assert user.membership.tenant == seeded.tenant and user.membership.role == "owner"
    demo_seed(access_token=demo_tokens[0], superuser=True)
    assert get_user_model().objects.get(username=seeded.username).is_superuser


def test_two_make_runs_on_one_database_show_the_whole_demo_again(standin, settings):
    """Each ``make run`` starts an empty stand-in and seeds with reset: the second run ends as the
    first, with one connection, its boards once, and due pins due again."""
    from pinterest.models import Board, PinterestConnection
    from publishing.selectors import pins_due

    def run():
        tokens = standin.issue_tokens(standin.seed_demo())
        return demo_seed(access_token=tokens[0], refresh_token=tokens[1], reset=True)

    first = run()
    for pin_id in first.due_pin_ids:  # the first run publishes what was due
        assert pin_publish(pin_id=pin_id).success
    standin.reset()  # the stand-in process is new on the next start
    second = run()
    tenant = second.tenant
    assert PinterestConnection.objects.filter(tenant=tenant).count() == 1
    assert Board.objects.filter(connection__tenant=tenant).count() == 3
    assert sorted(Board.objects.values_list("name", flat=True)) == ["Home & garden", "Recipes", "Travel ideas"]
    assert Pin.objects.filter(project__tenant=tenant).count() == 14
    due = {str(pk) for pk in pins_due(now=timezone.now()).filter(project__tenant=tenant).values_list("pk", flat=True)}
    assert set(second.due_pin_ids) <= due and len(second.due_pin_ids) == 6
    assert not set(first.due_pin_ids) & set(second.due_pin_ids)


def test_reset_leaves_other_tenants_alone(demo_tokens):
    from tests.factories import make_pin

    other = make_pin()
    demo_seed(access_token=demo_tokens[0])
    demo_seed(access_token=demo_tokens[0], reset=True)
    assert Pin.objects.filter(pk=other.pk).exists()

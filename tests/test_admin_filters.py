"""The changelist filter sidebars list only the user's tenant's objects; a superuser sees all."""

import pytest
from django.urls import reverse

from tests.factories import make_article, make_board, make_connection, make_pin, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "publishing_pin",
    "publishing_blogarticle",
    "publishing_blogproject",
    "pinterest_pinterestconnection",
    "publishing_membership",
]


def populate(name):
    """A tenant whose every name contains ``name``: two of each, so each filter has choices."""
    tenant = make_tenant(name=f"{name} tenant")
    make_user(tenant=tenant, username=f"{name}-member")
    for n in (1, 2):
        connection = make_connection(tenant=tenant, username=f"{name}account{n}")
        board = make_board(connection=connection, name=f"{name} board {n}")
        project = make_project(tenant=tenant, connection=connection, name=f"{name} project {n}")
        make_pin(project=project, board=board, article=make_article(project=project, title=f"{name} article {n}"))
    return tenant


def sidebar(client, changelist):
    response = client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    return body.split('id="changelist-filter"', 1)[1] if 'id="changelist-filter"' in body else ""


@pytest.fixture
def tenants():
    return populate("Alphacorp"), populate("Betacorp")


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_a_tenant_staff_user_sees_only_their_tenants_names_in_the_filters(client, tenants, changelist):
    client.force_login(make_user(tenant=tenants[1], is_staff=True))
    response = client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 200
    assert "Alphacorp" not in response.content.decode()


@pytest.mark.parametrize(
    "changelist,names",
    [
        ("publishing_pin", ["Betacorp project 1", "Betacorp project 2", "Betacorp board 1", "Betacorp board 2"]),
        ("publishing_blogarticle", ["Betacorp project 1", "Betacorp project 2"]),
    ],
)
def test_the_filters_still_list_the_users_own_objects(client, tenants, changelist, names):
    client.force_login(make_user(tenant=tenants[1], is_staff=True))
    filters = sidebar(client, changelist)
    assert all(name in filters for name in names)


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_a_superuser_sees_every_tenant_in_the_filters(admin_client, tenants, changelist):
    filters = sidebar(admin_client, changelist)
    assert "Alphacorp" in filters and "Betacorp" in filters

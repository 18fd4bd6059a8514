"""Who a tenant's staff may make a member: only users of no tenant or of their own, never a
superuser, and only into their own tenant. A superuser may pick anyone."""

import pytest
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from publishing.models import Membership
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.django_db

ADD = reverse("admin:publishing_membership_add")
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


@pytest.fixture
def staff(tenant):
    return make_user(tenant=tenant, is_staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def users(tenant, admin_user):
    """One user of each kind a staff user might try to pick."""
    User = get_user_model()
    return {
        "colleague": make_user(tenant=tenant),
        "unaffiliated": User.objects.create_user(username="loner"),
        "other_tenants": make_user(tenant=make_tenant()),
        "superuser": admin_user,
        "superuser_in_the_tenant": make_user(tenant=tenant, username="root2", is_superuser=True),
    }


def post(client, url, data):
    """POST an admin form; returns the form's errors ({} when it saved)."""
    response = client.post(url, data)
    if response.status_code == 302:
        return {}
    assert response.status_code == 200, response.content[:300]
    return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


def test_tenant_staff_are_offered_only_unaffiliated_users_and_their_own_tenants(staff_client, staff, users):
    field = staff_client.get(ADD).context["adminform"].form.fields["user"]
    assert set(field.queryset) == {staff, users["colleague"], users["unaffiliated"]}
    # A plain list: the users autocomplete answers from the user admin, which knows no tenants.
    assert not isinstance(field.widget.widget, AutocompleteSelect)


@pytest.mark.parametrize("kind", ["other_tenants", "superuser"])
def test_a_forged_user_id_is_refused(staff_client, tenant, users, kind):
    before = set(Membership.objects.values_list("pk", "user_id", "tenant_id"))
    errors = post(staff_client, ADD, {"user": users[kind].pk, "tenant": tenant.pk, "role": "editor"})
    assert errors == {"user": [INVALID_CHOICE]}
    assert set(Membership.objects.values_list("pk", "user_id", "tenant_id")) == before


@pytest.mark.parametrize("kind", ["other_tenants", "superuser", "superuser_in_the_tenant"])
def test_a_membership_cannot_be_handed_to_a_forged_user(staff_client, tenant, users, kind):
    membership = users["colleague"].membership
    url = reverse("admin:publishing_membership_change", args=[membership.pk])
    errors = post(staff_client, url, {"user": users[kind].pk, "tenant": tenant.pk, "role": "editor"})
    assert errors == {"user": [INVALID_CHOICE]}
    assert Membership.objects.get(pk=membership.pk).user == users["colleague"]


def test_tenant_staff_add_an_unaffiliated_user_to_their_own_tenant_only(staff_client, tenant, users):
    loner = users["unaffiliated"]
    errors = post(staff_client, ADD, {"user": loner.pk, "tenant": make_tenant().pk, "role": "editor"})
    assert errors == {"tenant": [INVALID_CHOICE]}

    assert post(staff_client, ADD, {"user": loner.pk, "tenant": tenant.pk, "role": "editor"}) == {}
    assert Membership.objects.get(user=loner).tenant == tenant


def test_tenant_staff_never_see_another_tenants_memberships(staff_client, users):
    other = users["other_tenants"].membership
    response = staff_client.get(reverse("admin:publishing_membership_change", args=[other.pk]))
    assert response.status_code == 302  # the admin redirects a missing object to the index


def test_a_superuser_may_pick_any_user_with_the_autocomplete(admin_client, tenant, users):
    field = admin_client.get(ADD).context["adminform"].form.fields["user"]
    assert isinstance(field.widget.widget, AutocompleteSelect)
    assert post(admin_client, ADD, {"user": users["superuser"].pk, "tenant": tenant.pk, "role": "owner"}) == {}
    assert users["superuser"].membership.tenant == tenant


def test_the_tenant_pages_membership_inline_is_restricted_the_same_way(client, tenant, staff, users):
    # The inline shows only to staff given Django's membership permissions; then it obeys the same rule.
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_membership"))
    client.force_login(staff)
    url = reverse("admin:publishing_tenant_change", args=[tenant.pk])
    inline = {"memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
              "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
              "memberships-0-role": "editor", "memberships-0-tenant": tenant.pk}
    response = client.post(url, {"name": tenant.name, **inline, "memberships-0-user": users["superuser"].pk})
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [{"user": [INVALID_CHOICE]}]
    assert not Membership.objects.filter(user=users["superuser"]).exists()

    client.post(url, {"name": tenant.name, **inline, "memberships-0-user": users["unaffiliated"].pk})
    assert Membership.objects.get(user=users["unaffiliated"]).tenant == tenant

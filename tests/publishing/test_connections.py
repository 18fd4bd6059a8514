"""A new Pinterest connection given to a project: publishing answers pinterest's signals."""

import pytest

from pinterest.errors import ConnectError
from pinterest.models import PinterestConnection
from pinterest.services.connect import connection_add_from_token
from publishing.models import BlogProject
from tests.factories import make_project, make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(standin):
    user = standin.create_user("owner")
    standin.add_boards(user, 1)
    return standin.issue_tokens(user)[0]


def test_a_connection_is_attached_to_the_tenants_project(token):
    project = make_project()
    result = connection_add_from_token(tenant=project.tenant, access_token=token, target=project.pk)
    assert BlogProject.objects.get(pk=project.pk).pinterest_connection == result.connection


def test_another_tenants_project_is_refused_before_pinterest_is_asked_and_nothing_is_stored(token, standin):
    other = make_project()
    with pytest.raises(ConnectError, match=f"Project {other.pk} is not a project of"):
        connection_add_from_token(tenant=make_tenant(), access_token=token, target=other.pk)
    assert not PinterestConnection.objects.exists()
    assert BlogProject.objects.get(pk=other.pk).pinterest_connection is None
    assert not [call for call in standin.calls if call.endpoint == "user_account"]


def test_a_project_gone_between_the_check_and_the_save_rolls_the_connection_back(token, monkeypatch):
    project = make_project()
    from publishing import receivers

    monkeypatch.setattr(receivers, "project_check_connection_target", lambda **kwargs: None)
    tenant, missing = project.tenant, project.pk + 1000
    with pytest.raises(ConnectError):
        connection_add_from_token(tenant=tenant, access_token=token, target=missing)
    assert not PinterestConnection.objects.exists()

"""The projects and articles API: CRUD, validation, and the deletes that are refused."""

import pytest

from publishing.models import BlogArticle, BlogProject
from tests.factories import api_client, make_article, make_connection, make_pin, make_project, make_tenant, make_user

pytestmark = pytest.mark.django_db



@pytest.fixture
def tenant():
    return make_tenant()


@pytest.fixture
def client(tenant):
    return api_client(make_user(tenant))


def field_errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --- Projects --------------------------------------------------------------------------------


def test_project_create_list_retrieve_update_delete(client, tenant):
    connection = make_connection(tenant=tenant)
    created = client.post("/api/projects/", {"name": "Blog", "pinterest_connection": connection.pk},
                          format="json")
    assert created.status_code == 201, created.content
    project_id = created.json()["id"]
    assert created.json()["pinterest_connection"] == connection.pk
    assert [p["name"] for p in client.get("/api/projects/").json()["results"]] == ["Blog"]
    assert client.get(f"/api/projects/{project_id}/").json()["name"] == "Blog"

    patched = client.patch(f"/api/projects/{project_id}/", {"name": "Recipes"}, format="json")
    assert patched.json() | {"created_at": None} == {
        "id": project_id, "name": "Recipes", "pinterest_connection": connection.pk, "created_at": None,
    }
    put = client.put(f"/api/projects/{project_id}/", {"name": "Recipes"}, format="json")
    assert put.json()["pinterest_connection"] is None  # PUT replaces: absent means null

    assert client.delete(f"/api/projects/{project_id}/").status_code == 204
    assert not BlogProject.objects.exists()


def test_project_name_must_be_unique_in_the_tenant(client, tenant):
    make_project(tenant=tenant, name="Blog")
    make_project(name="Elsewhere")  # another tenant's name does not matter
    assert "already have a project named 'Blog'" in field_errors(
        client.post("/api/projects/", {"name": "Blog"}, format="json")
    )["name"][0]
    assert client.post("/api/projects/", {"name": "Elsewhere"}, format="json").status_code == 201


def test_project_name_must_not_be_blank(client):
    assert field_errors(client.post("/api/projects/", {"name": "   "}, format="json"))["name"]


def test_project_refuses_another_tenants_connection(client):
    foreign = make_connection()
    response = client.post("/api/projects/", {"name": "Blog", "pinterest_connection": foreign.pk},
                           format="json")
    assert field_errors(response)["pinterest_connection"] == [f"Pinterest connection {foreign.pk} not found."]


def test_project_with_pins_cannot_be_deleted(client, tenant):
    project = make_project(tenant=tenant)
    make_pin(project=project)
    response = client.delete(f"/api/projects/{project.pk}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "project_has_pins"
    assert BlogProject.objects.filter(pk=project.pk).exists()


def test_project_delete_takes_its_articles_along(client, tenant):
    project = make_project(tenant=tenant)
    make_article(project=project)
    assert client.delete(f"/api/projects/{project.pk}/").status_code == 204
    assert not BlogArticle.objects.exists()


# --- Articles --------------------------------------------------------------------------------


def test_article_create_list_retrieve_update_delete(client, tenant):
    project = make_project(tenant=tenant)
    created = client.post("/api/articles/", {"project": project.pk, "url": "https://blog.example.com/a"},
                          format="json")
    assert created.status_code == 201, created.content
    article_id = created.json()["id"]
    assert created.json()["title"] == ""
    assert client.get("/api/articles/").json()["count"] == 1
    assert client.get(f"/api/articles/{article_id}/").json()["url"] == "https://blog.example.com/a"
    patched = client.patch(f"/api/articles/{article_id}/", {"title": "Soup"}, format="json")
    assert patched.json()["title"] == "Soup"
    assert client.delete(f"/api/articles/{article_id}/").status_code == 204
    assert not BlogArticle.objects.exists()


def test_article_list_filters_by_project(client, tenant):
    first, second = make_project(tenant=tenant), make_project(tenant=tenant)
    make_article(project=first)
    wanted = make_article(project=second)
    body = client.get(f"/api/articles/?project={second.pk}").json()
    assert [a["id"] for a in body["results"]] == [wanted.pk]
    assert list(field_errors(client.get("/api/articles/?project=x"))) == ["project"]


def test_article_must_belong_to_one_of_your_projects(client):
    foreign = make_project()
    response = client.post("/api/articles/", {"project": foreign.pk, "url": "https://a.example.com/"},
                           format="json")
    assert field_errors(response)["project"] == [f"Project {foreign.pk} not found."]


def test_article_url_must_be_http_or_https(client, tenant):
    project = make_project(tenant=tenant)
    response = client.post("/api/articles/", {"project": project.pk, "url": "ftp://a.example.com/x"},
                           format="json")
    assert field_errors(response)["url"] == ["Must be an http or https URL."]


def test_article_with_pins_cannot_be_deleted(client, tenant):
    article = make_article(project=make_project(tenant=tenant))
    make_pin(project=article.project, article=article)
    response = client.delete(f"/api/articles/{article.pk}/")
    assert response.status_code == 409
    assert "has 1 pin(s)" in response.json()["error"]["message"]
    assert BlogArticle.objects.filter(pk=article.pk).exists()


def test_article_with_pins_cannot_move_to_another_project(client, tenant):
    article = make_article(project=make_project(tenant=tenant))
    make_pin(project=article.project, article=article)
    other = make_project(tenant=tenant)
    response = client.patch(f"/api/articles/{article.pk}/", {"project": other.pk}, format="json")
    assert response.status_code == 409
    assert BlogArticle.objects.get(pk=article.pk).project_id == article.project_id

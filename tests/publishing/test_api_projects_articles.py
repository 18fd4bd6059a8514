"""The projects and articles API: CRUD, validation, and the deletes that are refused."""

import pytest

from publishing.models import BlogArticle, BlogProject
from tests.factories import make_article, make_connection, make_pin, make_project

pytestmark = pytest.mark.django_db



def field_errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --- Projects --------------------------------------------------------------------------------


def test_project_create_list_retrieve_update_delete(tenant_api, tenant):
    connection = make_connection(tenant=tenant)
    created = tenant_api.post("/api/projects/", {"name": "Blog", "pinterest_connection": connection.pk},
                          format="json")
    assert created.status_code == 201, created.content
    project_id = created.json()["id"]
    assert created.json()["pinterest_connection"] == connection.pk
    assert [p["name"] for p in tenant_api.get("/api/projects/").json()["results"]] == ["Blog"]
    assert tenant_api.get(f"/api/projects/{project_id}/").json()["name"] == "Blog"

    patched = tenant_api.patch(f"/api/projects/{project_id}/", {"name": "Recipes"}, format="json")
    assert patched.json() | {"created_at": None} == {
        "id": project_id, "name": "Recipes", "pinterest_connection": connection.pk, "timezone": "UTC",
        "requires_approval": False, "created_at": None,
    }
    put = tenant_api.put(f"/api/projects/{project_id}/", {"name": "Recipes"}, format="json")
    assert put.json()["pinterest_connection"] is None  # PUT replaces: absent means null

    assert tenant_api.delete(f"/api/projects/{project_id}/").status_code == 204
    assert not BlogProject.objects.exists()


def test_project_name_must_be_unique_in_the_tenant(tenant_api, tenant):
    make_project(tenant=tenant, name="Blog")
    make_project(name="Elsewhere")  # another tenant's name does not matter
    assert "already have a project named 'Blog'" in field_errors(
        tenant_api.post("/api/projects/", {"name": "Blog"}, format="json")
    )["name"][0]
    assert tenant_api.post("/api/projects/", {"name": "Elsewhere"}, format="json").status_code == 201


def test_project_name_must_not_be_blank(tenant_api):
    assert field_errors(tenant_api.post("/api/projects/", {"name": "   "}, format="json"))["name"]


def test_project_refuses_another_tenants_connection(tenant_api):
    foreign = make_connection()
    response = tenant_api.post("/api/projects/", {"name": "Blog", "pinterest_connection": foreign.pk},
                           format="json")
    assert field_errors(response)["pinterest_connection"] == [f"Pinterest connection {foreign.pk} not found."]


def test_project_with_pins_cannot_be_deleted(tenant_api, tenant):
    project = make_project(tenant=tenant)
    make_pin(project=project)
    response = tenant_api.delete(f"/api/projects/{project.pk}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "project_has_pins"
    assert BlogProject.objects.filter(pk=project.pk).exists()


def test_project_delete_takes_its_articles_along(tenant_api, tenant):
    project = make_project(tenant=tenant)
    make_article(project=project)
    assert tenant_api.delete(f"/api/projects/{project.pk}/").status_code == 204
    assert not BlogArticle.objects.exists()


# --- Articles --------------------------------------------------------------------------------


def test_article_create_list_retrieve_update_delete(tenant_api, tenant):
    project = make_project(tenant=tenant)
    created = tenant_api.post("/api/articles/", {"project": project.pk, "url": "https://blog.example.com/a"},
                          format="json")
    assert created.status_code == 201, created.content
    article_id = created.json()["id"]
    assert created.json()["title"] == ""
    assert tenant_api.get("/api/articles/").json()["count"] == 1
    assert tenant_api.get(f"/api/articles/{article_id}/").json()["url"] == "https://blog.example.com/a"
    patched = tenant_api.patch(f"/api/articles/{article_id}/", {"title": "Soup"}, format="json")
    assert patched.json()["title"] == "Soup"
    assert tenant_api.delete(f"/api/articles/{article_id}/").status_code == 204
    assert not BlogArticle.objects.exists()


def test_article_list_filters_by_project(tenant_api, tenant):
    first, second = make_project(tenant=tenant), make_project(tenant=tenant)
    make_article(project=first)
    wanted = make_article(project=second)
    body = tenant_api.get(f"/api/articles/?project={second.pk}").json()
    assert [a["id"] for a in body["results"]] == [wanted.pk]
    assert list(field_errors(tenant_api.get("/api/articles/?project=x"))) == ["project"]


def test_article_must_belong_to_one_of_your_projects(tenant_api):
    foreign = make_project()
    response = tenant_api.post("/api/articles/", {"project": foreign.pk, "url": "https://a.example.com/"},
                           format="json")
    assert field_errors(response)["project"] == [f"Project {foreign.pk} not found."]


def test_article_url_must_be_http_or_https(tenant_api, tenant):
    project = make_project(tenant=tenant)
    response = tenant_api.post("/api/articles/", {"project": project.pk, "url": "ftp://a.example.com/x"},
                           format="json")
    assert field_errors(response)["url"] == ["Must be an http or https URL."]


def test_article_with_pins_cannot_be_deleted(tenant_api, tenant):
    article = make_article(project=make_project(tenant=tenant))
    make_pin(project=article.project, article=article)
    response = tenant_api.delete(f"/api/articles/{article.pk}/")
    assert response.status_code == 409
    assert "has 1 pin(s)" in response.json()["error"]["message"]
    assert BlogArticle.objects.filter(pk=article.pk).exists()


def test_article_with_pins_cannot_move_to_another_project(tenant_api, tenant):
    article = make_article(project=make_project(tenant=tenant))
    make_pin(project=article.project, article=article)
    other = make_project(tenant=tenant)
    response = tenant_api.patch(f"/api/articles/{article.pk}/", {"project": other.pk}, format="json")
    assert response.status_code == 409
    assert BlogArticle.objects.get(pk=article.pk).project_id == article.project_id

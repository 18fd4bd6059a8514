"""The move from DRF's authtoken table: each token becomes a hashed key with every scope, the
same secret keeps working, the plain-text table is emptied; a fresh database has no such table
and migrates all the same."""

import importlib
import secrets
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from apikeys.keys import key_hash
from apikeys.models import ApiKey
from tests.apikeys.helpers import tables_holding
from tests.factories import make_user

# Every scope there was when the tokens were imported (members:write came later, issue 29).
IMPORT_SCOPES = importlib.import_module("apikeys.migrations.0002_import_drf_tokens").ALL_SCOPES

BEFORE, AFTER = ("apikeys", "0001_initial"), ("apikeys", "0002_import_drf_tokens")
CREATED = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def create_drf_token_table():
    """``authtoken_token`` as rest_framework.authtoken's migrations left it."""
    created = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE authtoken_token (key varchar(40) NOT NULL PRIMARY KEY, created {created} NOT NULL, "
            "user_id integer NOT NULL UNIQUE REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED)"
        )


def insert_drf_token(key, user):
    created = CREATED if connection.vendor == "postgresql" else CREATED.strftime("%Y-%m-%d %H:%M:%S.%f")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)", [key, created, user.pk]
        )


def drf_tokens_left():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_drf_tokens_become_hashed_keys_with_every_scope_and_keep_working(capsys):
    owner = make_user()
    loner = get_user_model().objects.create_user(username="loner", password="pw-for-tests-only")
    token, loners_token = secrets.token_hex(20), secrets.token_hex(20)  # as DRF makes them
    migrate(BEFORE)
    create_drf_token_table()
    try:
        insert_drf_token(token, owner)
        insert_drf_token(loners_token, loner)
        migrate(AFTER)

        api_key = ApiKey.objects.get()
        assert api_key.owner == owner and api_key.tenant == owner.membership.tenant
        assert api_key.scopes == IMPORT_SCOPES and api_key.created_at == CREATED
        assert api_key.prefix == token[:12] and api_key.hashed_key == key_hash(token)
        assert drf_tokens_left() == 0 and tables_holding(token) == [] and tables_holding(loners_token) == []
        assert "1 DRF token(s) became hashed API keys" in capsys.readouterr().out
        response = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/pins/")
        assert response.status_code == 200, response.content
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")


@pytest.mark.django_db(transaction=True)
def test_a_database_that_never_had_drf_tokens_migrates_both_ways():
    assert "authtoken_token" not in connection.introspection.table_names()
    migrate(BEFORE)
    migrate(AFTER)
    assert not ApiKey.objects.exists()

"""DRF's authtoken keys become hashed API keys, and DRF's plain-text table is emptied.

Each old token becomes an API key of its user's tenant, owned by that user, with every scope,
named "API token (before API keys)": the same secret keeps working (its prefix is its first
12 characters and its SHA-256 is stored, the rules of ``apikeys.keys``), so no client breaks.
A token of a user who belongs to no tenant could reach nothing (every endpoint answered 403
``no_tenant``) and is dropped. Then every row of ``authtoken_token`` is deleted.

``rest_framework.authtoken`` is no longer installed, so its table is read with SQL, and only
when it exists: a fresh database never had it. The empty table itself is left for the
operator to drop (README, "API keys"), since it belongs to an app this project no longer runs.
Going back (``migrate apikeys 0001``) keeps the keys: the old plain text is gone for good.

The rules are copied here, not imported, so this migration keeps doing what it did when the
code changes.
"""

import hashlib
from datetime import UTC

from django.db import migrations
from django.utils.dateparse import parse_datetime

TABLE = "authtoken_token"
NAME = "API token (before API keys)"
# Every scope there was when this migration was written: the old tokens could do everything.
ALL_SCOPES = ["read", "pins:write", "publish", "connections:write", "keys:write", "webhooks:write"]
PREFIX_LENGTH = 12


def _aware(value):
    # SQLite hands a datetime column back as text through a raw cursor; PostgreSQL as a datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def import_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiKey = apps.get_model("apikeys", "ApiKey")
    Membership = apps.get_model("publishing", "Membership")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} FROM {quote(TABLE)}")
        tokens = cursor.fetchall()
    tenant_of = dict(
        Membership.objects.filter(user_id__in=[user_id for _, user_id, _ in tokens]).values_list("user_id", "tenant_id")
    )
    ApiKey.objects.bulk_create(
        ApiKey(
            tenant_id=tenant_of[user_id],
            owner_id=user_id,
            name=NAME,
            prefix=key[:PREFIX_LENGTH],
            hashed_key=hashlib.sha256(key.encode()).hexdigest(),
            scopes=ALL_SCOPES,
            created_at=_aware(created),
        )
        for key, user_id, created in tokens
        if user_id in tenant_of
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(TABLE)}")
    dropped = sum(1 for _, user_id, _ in tokens if user_id not in tenant_of)
    if tokens:
        print(
            f"\n  apikeys: {len(tokens) - dropped} DRF token(s) became hashed API keys with every scope, "
            f"{dropped} of users without a tenant dropped; {TABLE} emptied (then drop it: README, 'API keys')."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("apikeys", "0001_initial"),
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(import_drf_tokens, migrations.RunPython.noop),
    ]

"""The encrypted token fields: ciphertext at rest, clear errors, refused queries, key rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection as db_connection

from pinterest.fields import Ciphertext, TokenDecryptionError
from pinterest.models import PinterestConnection
from tests.factories import make_connection

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw_column(pk, column):
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM pinterest_pinterestconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_stored_token_column_does_not_contain_the_token():
    conn = make_connection(access_token="pina_plaintext_access", refresh_token="pinr_plaintext_refresh")
    assert "pina_plaintext_access" not in raw_column(conn.pk, "access_token")
    assert "pinr_plaintext_refresh" not in raw_column(conn.pk, "refresh_token")
    assert raw_column(conn.pk, "access_token").startswith("gAAAA")  # a Fernet token


def test_token_reads_back_as_plaintext_after_reload():
    conn = make_connection(access_token="pina_roundtrip")
    fresh = PinterestConnection.objects.get(pk=conn.pk)
    assert fresh.access_token == "pina_roundtrip"
    assert fresh.has_access_token


def test_saving_an_unchanged_row_does_not_need_to_reencrypt(settings):
    conn = make_connection(access_token="pina_keep")
    before = raw_column(conn.pk, "access_token")
    fresh = PinterestConnection.objects.get(pk=conn.pk)
    fresh.username = "renamed"
    fresh.save()
    assert raw_column(conn.pk, "access_token") == before


def test_empty_token_is_stored_empty_and_reported_not_set():
    conn = make_connection(refresh_token="")
    assert raw_column(conn.pk, "refresh_token") == ""
    assert not PinterestConnection.objects.get(pk=conn.pk).has_refresh_token


def test_decrypting_with_the_wrong_keys_raises_an_error_naming_the_row(settings):
    settings.PINPUBLISHER_TOKEN_KEYS = [OLD_KEY]
    conn = make_connection(access_token="pina_old")
    settings.PINPUBLISHER_TOKEN_KEYS = [NEW_KEY]
    fresh = PinterestConnection.objects.get(pk=conn.pk)
    with pytest.raises(TokenDecryptionError) as excinfo:
        fresh.access_token  # noqa: B018
    assert f"pk={conn.pk}" in str(excinfo.value)
    assert "access_token" in str(excinfo.value)


def test_ciphertext_never_passes_for_a_token(settings):
    conn = make_connection(access_token="pina_x")
    fresh = PinterestConnection.objects.get(pk=conn.pk)
    assert not isinstance(fresh.access_token, Ciphertext)
    assert repr(fresh.__dict__["access_token"]) == "Ciphertext(...)"


def test_filtering_on_an_encrypted_field_is_refused():
    with pytest.raises(FieldError, match="cannot be filtered"):
        list(PinterestConnection.objects.filter(access_token="pina_x"))


def test_ordering_on_an_encrypted_field_is_refused():
    with pytest.raises(FieldError, match="ordering"):
        PinterestConnection.objects.order_by("-refresh_token")


def test_rotation_leaves_every_token_readable_under_the_new_key_alone(settings):
    settings.PINPUBLISHER_TOKEN_KEYS = [OLD_KEY]
    conns = [make_connection(access_token=f"pina_{i}", refresh_token=f"pinr_{i}") for i in range(5)]
    settings.PINPUBLISHER_TOKEN_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_token_keys", "--batch-size", "2", stdout=(out := __import__("io").StringIO()))
    assert "re-encrypted 5 of 5 connections" in out.getvalue()
    settings.PINPUBLISHER_TOKEN_KEYS = [NEW_KEY]
    for i, conn in enumerate(conns):
        fresh = PinterestConnection.objects.get(pk=conn.pk)
        assert (fresh.access_token, fresh.refresh_token) == (f"pina_{i}", f"pinr_{i}")


@pytest.mark.parametrize("size", ["0", "10001", "9" * 30])
def test_rotation_refuses_a_batch_size_out_of_range_naming_it(size):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=r"--batch-size must be 1\.\.10000"):
        call_command("rotate_token_keys", "--batch-size", size)


def test_rotation_dry_run_changes_nothing_and_second_run_changes_nothing(settings):
    import io

    settings.PINPUBLISHER_TOKEN_KEYS = [OLD_KEY]
    conn = make_connection()
    before = raw_column(conn.pk, "access_token")
    settings.PINPUBLISHER_TOKEN_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_token_keys", "--dry-run", stdout=out)
    assert "would re-encrypt 1 of 1" in out.getvalue()
    assert raw_column(conn.pk, "access_token") == before
    call_command("rotate_token_keys", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rotate_token_keys", stdout=out)
    assert "re-encrypted 0 of 1" in out.getvalue()


def test_rotation_with_an_undecryptable_row_fails_with_one_readable_line(settings):
    from django.core.management import CommandError

    settings.PINPUBLISHER_TOKEN_KEYS = [OLD_KEY]
    conn = make_connection()
    settings.PINPUBLISHER_TOKEN_KEYS = [NEW_KEY]
    with pytest.raises(CommandError, match=f"pk={conn.pk}"):
        call_command("rotate_token_keys")

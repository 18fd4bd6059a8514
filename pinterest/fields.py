"""An encrypted text field for OAuth tokens (cryptography's MultiFernet).

The keys come from ``PINPUBLISHER_TOKEN_KEYS``: the first encrypts, all
decrypt, so keys can be rotated (``manage.py rotate_token_keys``).

How a value travels:
- from the database it arrives as :class:`Ciphertext` and stays encrypted in the
  instance; it is decrypted only when the attribute is read, so the error for a
  value no key can decrypt can name the row (``TokenDecryptionError``);
- an assigned plaintext is encrypted when saved; a ``Ciphertext`` is written back
  as it is (saving a row never needs the key, and never re-encrypts by accident);
- empty values are stored empty, so "is a token set?" needs no key.

Filtering and ordering on the column are refused: the ciphertext is random, so
such a query could only ever be wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet  # noqa: F401 (InvalidToken re-exported)
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models.expressions import Combinable
from django.db.models.lookups import Lookup, Transform
from django.db.models.query_utils import DeferredAttribute

from pinterest.conf import pinterest_settings


class TokenDecryptionError(Exception):
    """A stored token could not be decrypted by any key in PINPUBLISHER_TOKEN_KEYS."""


class Ciphertext(str):
    """A value exactly as stored in the database: encrypted, never a usable token."""

    def __repr__(self) -> str:
        return "Ciphertext(...)"


@functools.cache
def _fernet() -> MultiFernet:
    keys = pinterest_settings.PINPUBLISHER_TOKEN_KEYS
    if not keys:
        raise ImproperlyConfigured("PINPUBLISHER_TOKEN_KEYS is empty: tokens cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "PINPUBLISHER_TOKEN_KEYS holds a value that is not a Fernet key."
        ) from exc


@functools.cache
def _primary_fernet() -> Fernet:
    return Fernet(pinterest_settings.PINPUBLISHER_TOKEN_KEYS[0])


def _reset_keys(*, setting: str, **kwargs: object) -> None:
    if setting == "PINPUBLISHER_TOKEN_KEYS":
        _fernet.cache_clear()
        _primary_fernet.cache_clear()


setting_changed.connect(_reset_keys)


def encrypt(plaintext: str) -> Ciphertext:
    return Ciphertext(_fernet().encrypt(plaintext.encode()).decode())


def decrypt(ciphertext: str) -> str:
    """Decrypt with any configured key. Raises cryptography's InvalidToken."""
    return _fernet().decrypt(ciphertext.encode()).decode()


def rotate(ciphertext: str) -> Ciphertext | None:
    """Re-encrypt under the first key; returns None when it already is."""
    try:
        _primary_fernet().decrypt(ciphertext.encode())
        return None
    except InvalidToken:
        return Ciphertext(_fernet().rotate(ciphertext.encode()).decode())


@dataclass
class KeyRotationResult:
    rows_total: int = 0
    rows_changed: int = 0


def rows_rotate_keys(
    model: type[models.Model], names: tuple[str, ...], *, what: str, dry_run: bool = False, batch_size: int = 500,
    progress: Callable[[KeyRotationResult], None] | None = None,
) -> KeyRotationResult:
    """Re-encrypt the encrypted fields ``names`` of every ``model`` row under the first key of
    PINPUBLISHER_TOKEN_KEYS (Pinterest tokens here; webhooks' signing secrets and two-factor
    secrets through the same walk, asked by ``manage.py rotate_token_keys``).

    Walks rows by primary key in batches, each batch in its own short transaction with the rows
    locked, so a concurrent write (a token refresh) is never overwritten with the old value. A
    value no key can decrypt raises ``TokenDecryptionError`` naming the row and ``what`` it holds
    (``cryptography.fernet.InvalidToken`` is translated). Returns how many rows were (or, with
    ``dry_run``, would be) changed."""
    result = KeyRotationResult()
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                model._default_manager.select_for_update().filter(pk__gt=last_pk).order_by("pk")
                .only("pk", *names)[:batch_size]
            )
            if not batch:
                return result
            for row in batch:
                changes = {}
                for name in names:
                    raw = row.__dict__.get(name)
                    if not raw:
                        continue
                    try:
                        rotated = rotate(raw)
                    except InvalidToken:
                        field = f"field '{name}'" if len(names) > 1 else what
                        raise TokenDecryptionError(
                            f"{model._meta.label} pk={row.pk}: {field} cannot be decrypted with any key "
                            "in PINPUBLISHER_TOKEN_KEYS."
                        ) from None
                    if rotated is not None:
                        changes[name] = rotated
                result.rows_total += 1
                if changes:
                    result.rows_changed += 1
                    if not dry_run:
                        model._default_manager.filter(pk=row.pk).update(**changes)
            last_pk = batch[-1].pk
        if progress:
            progress(result)


class EncryptedAttribute(DeferredAttribute):
    """Keeps the ciphertext in the instance and decrypts on every read."""

    def __get__(self, instance: models.Model | None, cls: type[models.Model] | None = None) -> Any:
        value = super().__get__(instance, cls)
        if instance is None or not isinstance(value, Ciphertext) or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            raise TokenDecryptionError(
                f"{instance._meta.label} pk={instance.pk}: field '{self.field.name}' cannot be "
                "decrypted with any key in PINPUBLISHER_TOKEN_KEYS (was a key removed before "
                "`manage.py rotate_token_keys` ran?)"
            ) from None

    def __set__(self, instance: models.Model, value: object) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    descriptor_class = EncryptedAttribute

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Ciphertext | None:
        if value is None:
            return value
        return Ciphertext(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # The raw value, without the descriptor's decryption.
        return model_instance.__dict__.get(self.attname)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or isinstance(value, Ciphertext):
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"Encrypted field '{self.name}' cannot be filtered with '{lookup_name}': "
            "its stored value is ciphertext."
        )

    def get_transform(self, name: str) -> type[Transform] | None:
        raise FieldError(f"Encrypted field '{self.name}' cannot be transformed with '{name}'.")

    def value_to_string(self, obj: models.Model) -> str:
        # Serialization (dumpdata) carries the ciphertext, never the token.
        return obj.__dict__.get(self.attname) or ""


class EncryptedFieldsQuerySet(models.QuerySet):
    """Refuses ordering on encrypted fields (random ciphertext has no useful order)."""

    def order_by(self, *field_names: str | Combinable) -> EncryptedFieldsQuerySet:
        encrypted = {
            f.name
            for f in self.model._meta.get_fields()
            if isinstance(f, EncryptedTextField)
        }
        for name in field_names:
            if isinstance(name, str) and name.lstrip("-+").split("__")[0] in encrypted:
                raise FieldError(f"Encrypted field '{name.lstrip('-+')}' cannot be used for ordering.")
        return super().order_by(*field_names)

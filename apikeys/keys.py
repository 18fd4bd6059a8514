"""The shape of an API key: how one is made, the prefix that finds its row, its hash.

A key is ``pp_`` and 52 random letters and digits, e.g. ``pp_3kT9wQbX2mZ...``. Its first 12
characters (the *prefix*, ``pp_`` and 9 random characters) are stored in clear: they find the
row and name the key to people (admin, API, logs). The whole key is stored only as its
SHA-256 digest. The 43 characters after the prefix carry 256 bits from ``secrets``, so a fast
hash is enough: no one can search that space, which is what a slow password hasher
(PBKDF2, ~100 ms) defends against, and a slow hash would be paid on every request.

Keys that came from DRF's authtoken table (40 hex characters) keep working unchanged: the
same rules give their prefix (their first 12 characters) and their digest.
"""

import hashlib
import secrets
import string

KEY_MARK = "pp_"
PREFIX_LENGTH = 12
_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LENGTH = 52  # 9 in the prefix + 43 secret: 43 x log2(62) = 256 bits

#: Shorter or longer strings are refused without a query (and their prefix never logged):
#: our keys have 55 characters, DRF's old ones 40.
MIN_KEY_LENGTH = 32
MAX_KEY_LENGTH = 128


def key_generate() -> str:
    """A new random key. Show it to its person once; store only ``key_prefix`` and ``key_hash``."""
    return KEY_MARK + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))


def key_prefix(key: str) -> str:
    """The part of ``key`` stored in clear: finds its row, names it in the admin and the logs."""
    return key[:PREFIX_LENGTH]


def key_hash(key: str) -> str:
    """The digest stored for ``key`` (hex SHA-256)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ShownOnce(str):
    """A whole key on its way to the one page or answer that shows it: it renders as itself, but
    its ``repr`` (what a log of a template's context, or a traceback, would print) is its prefix."""

    def __repr__(self) -> str:
        return f"'{key_prefix(self)}…'"


def key_is_well_formed(key: str) -> bool:
    """Whether ``key`` could be a key at all (length, printable ASCII); no database involved."""
    return MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()

import pyotp
import pytest

from publishing.models import Membership

PASSWORD = "pw-for-tests-only"
#: A role that is not owner, whichever roles Membership.Role holds (member today; editor, viewer later).
NOT_OWNER = next(role for role in Membership.Role.values if role != Membership.Role.OWNER)


@pytest.fixture
def throttled(settings):
    """django-axes on, locking at 3 failures for 15 minutes (the project's settings otherwise)."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def code_now(secret: str, *, step_offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    import time

    return totp.at(time.time() + 30 * step_offset)

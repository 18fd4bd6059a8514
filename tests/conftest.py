import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded images go to a temporary folder, never the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    """A fast password hasher (the default costs ~0.5 s per user) and an empty cache (throttle
    counts) for every test."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """django-axes off unless a test turns it on (tests/accounts): it refuses the test client's
    ``login()`` (which passes no request), and failures would add up across tests."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _audit_actor(request, settings):
    """A write with nobody acting is refused in tests (``AUDIT_REFUSE_UNKNOWN_ACTOR``); a test that
    calls a service directly acts as the job "pytest" (a request, a task or a command each name
    their own actor above it). ``@pytest.mark.no_audit_actor`` leaves nobody acting."""
    from audit.actors import acting_as_job

    settings.AUDIT_REFUSE_UNKNOWN_ACTOR = True
    if "no_audit_actor" in request.keywords:
        yield
        return
    with acting_as_job("pytest", process_wide=True):  # threads a test starts act as it too
        yield


@pytest.fixture
def tenant():
    """A tenant of its own for the test."""
    from tests.factories import make_tenant

    return make_tenant()


@pytest.fixture
def tenant_api(tenant):
    """A REST API client authenticated as an owner of ``tenant`` (token auth)."""
    from tests.factories import api_client, make_user

    return api_client(make_user(tenant))


@pytest.fixture(params=["tenant_staff", "superuser"])
def admin_user_client(request, client, tenant, admin_user):
    """The Django test client logged in as a staff user of ``tenant``, then as a superuser."""
    from tests.factories import make_user

    user = make_user(tenant=tenant, is_staff=True) if request.param == "tenant_staff" else admin_user
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain http to "testserver": no redirect to https."""
    settings.SECURE_SSL_REDIRECT = False


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need row locks and real concurrency; SQLite has neither."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks / concurrency): set DATABASE_URL=postgres://... to run"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


from pinterest.standin.testing import standin  # noqa: E402, F401  (the running stand-in, for every test package)

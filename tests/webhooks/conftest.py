import pytest
from django_q.conf import Conf

from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _local_addresses(settings):
    """The receiver listens on 127.0.0.1: local addresses are allowed unless a test turns them off."""
    settings.WEBHOOKS_ALLOW_LOCAL_ADDRESSES = True


@pytest.fixture
def receiver():
    """A real HTTP server on a free loopback port (see tests/webhooks/receiver.py)."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def endpoint_for(receiver):
    """Register an endpoint of ``tenant`` at the receiver; returns (endpoint, secret)."""
    from webhooks.services.endpoints import endpoint_create

    def make(tenant, **fields):
        created = endpoint_create(tenant=tenant, url=fields.pop("url", receiver.url), **fields)
        return created.endpoint, created.secret

    return make


@pytest.fixture
def deliver_on_commit(monkeypatch, django_capture_on_commit_callbacks):
    """Inside it, what commits is delivered as in production: the on-commit task runs in-process."""
    monkeypatch.setattr(Conf, "SYNC", True)
    return lambda: django_capture_on_commit_callbacks(execute=True)

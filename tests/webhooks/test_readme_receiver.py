"""The receiver the README shows works: it accepts real deliveries (also both signatures after a
rotation) and rejects a tampered body, a wrong secret and an old timestamp."""

import re
import threading
import time
from http.server import HTTPServer
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from webhooks.models import DeliveryAttempt, EventType
from webhooks.services.delivery import deliveries_send_due
from webhooks.services.endpoints import endpoint_create, endpoint_rotate_secret, endpoint_update
from webhooks.services.events import event_record
from webhooks.signing import signature_header

pytestmark = pytest.mark.django_db


def readme_receiver():
    """The README's receiver class, from the README itself."""
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "class Receiver" in block]
    assert len(code.strip().splitlines()) <= 12, "the README promises a receiver of about ten lines"
    return code.replace('HTTPServer(("", 8080), Receiver).serve_forever()', "")


@pytest.fixture
def readme_server(monkeypatch):
    def start(secret):
        monkeypatch.setenv("PINPUBLISHER_WEBHOOK_SECRET", secret)
        namespace = {}
        exec(readme_receiver(), namespace)
        namespace["Receiver"].log_message = lambda *args: None
        server = HTTPServer(("127.0.0.1", 0), namespace["Receiver"])
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    servers = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_readme_receiver_accepts_real_deliveries_and_rejects_forgeries(tenant, readme_server):
    created = endpoint_create(tenant=tenant, url="http://127.0.0.1:9/")
    # The receiver reads its secret when it starts: start it with the endpoint's secret.
    url = readme_server(created.secret)
    endpoint = endpoint_update(endpoint=created.endpoint, data={"url": url})
    event_record(tenant_id=tenant.pk, event_type=EventType.PIN_PUBLISHED, data={"pin_id": "x"}, endpoints=[endpoint])
    endpoint_rotate_secret(endpoint=endpoint)  # two signatures now: the receiver knows the old one
    event_record(tenant_id=tenant.pk, event_type=EventType.PIN_FAILED, data={"pin_id": "y"}, endpoints=[endpoint])
    assert deliveries_send_due().delivered == 2
    assert list(DeliveryAttempt.objects.values_list("status_code", flat=True)) == [204, 204]

    body = b'{"id": "forged"}'
    now = int(time.time())
    for header in (
        signature_header(secrets=["whsec_wrong"], body=body, timestamp=now),
        signature_header(secrets=[created.secret], body=body, timestamp=now - 600),
        signature_header(secrets=[created.secret], body=b'{"id": "other"}', timestamp=now),
        "",
    ):
        answer = requests.post(url, data=body, headers={"Pinpublisher-Signature": header}, timeout=5)
        assert answer.status_code == 400, header
    good = signature_header(secrets=[created.secret], body=body, timestamp=now)
    assert requests.post(url, data=body, headers={"Pinpublisher-Signature": good}, timeout=5).status_code == 204

"""The client's session reads the environment's proxy settings once per scheme and host, and
merges exactly what requests would: the proxies and NO_PROXY as set when the host was first
called, the call's and the session's own settings kept apart."""

import requests
import requests.sessions

from pinterest.client.transport import _new_session

URLS = ("https://api.pinterest.com/v5/pins", "https://api.pinterest.com/v5/boards",
        "https://upload.example-bucket.test/media", "http://127.0.0.1:8765/v5/pins")


def test_the_merged_settings_are_what_requests_computes_for_each_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,.example-bucket.test")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    ours, theirs = _new_session(), requests.Session()
    for url in URLS * 2:
        for proxies, verify in (({}, None), ({"https": "http://other:1"}, False)):
            assert ours.merge_environment_settings(url, proxies, True, verify, None) == \
                theirs.merge_environment_settings(url, proxies, True, verify, None)
    assert ours.merge_environment_settings(URLS[0], {}, True, None, None)["proxies"]["https"] == \
        "http://proxy.internal:3128"
    assert "https" not in ours.merge_environment_settings(URLS[2], {}, True, None, None)["proxies"]


def test_the_environment_is_read_once_per_host_and_a_result_cannot_be_changed_by_its_caller(monkeypatch):
    reads = []
    real = requests.sessions.get_environ_proxies
    monkeypatch.setattr(requests.sessions, "get_environ_proxies",
                        lambda url, no_proxy=None: reads.append(url) or real(url, no_proxy=no_proxy))
    session = _new_session()
    for url in URLS * 3:
        merged = session.merge_environment_settings(url, {}, True, None, None)
        merged["proxies"]["https"] = "http://tampered:1"
    assert len(reads) == 3  # api.pinterest.com, the bucket, 127.0.0.1:8765
    assert "tampered" not in str(session.merge_environment_settings(URLS[0], {}, True, None, None))
    session.proxies = {"https": "http://session-proxy:8080"}
    assert session.merge_environment_settings(URLS[0], {}, True, None, None)["proxies"]["https"] == \
        "http://session-proxy:8080"

"""The guarded GET every feed and page goes through (pinpublisher.fetching, bound by feeds.fetcher):
conditional requests, limits, compression bombs, deadlines and the address rules on every hop."""

import gzip
import socket
import zlib

from feeds import fetcher
from feeds.devserver import Route
from pinpublisher import addresses, guarded_http
from pinpublisher.fetching import FetchPolicy, fetch


def test_a_feed_is_fetched_with_its_etag_and_last_modified(server):
    blog = server.add_blog("cooking", kind="rss", posts=2)
    fetched = fetcher.get(blog.url)
    assert fetched.ok and b"<rss" in fetched.body
    assert fetched.headers["etag"].startswith('"') and fetched.headers["last-modified"].endswith("GMT")
    assert "application/rss+xml" in server.requests[-1][1]["Accept"]


def test_a_conditional_request_for_an_unchanged_feed_comes_back_not_modified(server):
    blog = server.add_blog("cooking", kind="rss", posts=2)
    first = fetcher.get(blog.url)
    again = fetcher.get(blog.url, etag=first.headers["etag"], last_modified=first.headers["last-modified"])
    assert again.not_modified and again.body == b""
    assert server.requests[-1][1]["If-None-Match"] == first.headers["etag"]
    blog.publish()
    changed = fetcher.get(blog.url, etag=first.headers["etag"])
    assert changed.ok and changed.headers["etag"] != first.headers["etag"]


def test_a_404_is_an_answer_with_its_status_not_an_error(server):
    fetched = fetcher.get(server.url("/nowhere.xml"))
    assert fetched.status_code == 404 and not fetched.ok and fetched.error == ""


def test_a_body_over_the_limit_is_refused_by_its_declared_length(settings, server):
    settings.FEEDS_MAX_BYTES = 1000
    server.routes["/big.xml"] = Route(b"x" * 5000, "application/xml")
    fetched = fetcher.get(server.url("/big.xml"))
    assert not fetched.ok and "5,000 bytes; at most 1,000" in fetched.error


def test_a_body_over_the_limit_without_a_length_is_cut_off_while_read(settings, server):
    settings.FEEDS_MAX_BYTES = 1000
    server.routes["/big.xml"] = Route(b"x" * 500_000, "application/xml", sized=False)
    fetched = fetcher.get(server.url("/big.xml"))
    assert not fetched.ok and fetched.body == b"" and "over 1,000 bytes" in fetched.error


def test_a_gzip_bomb_is_refused_before_it_is_inflated_in_memory(settings, server):
    settings.FEEDS_MAX_BYTES = 1024 * 1024
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024  # 64 MB in under 100 KB
    server.routes["/bomb.xml"] = Route(bomb, "application/xml", headers={"Content-Encoding": "gzip"})
    fetched = fetcher.get(server.url("/bomb.xml"))
    assert not fetched.ok and "inflates past 1,048,576 bytes (gzip)" in fetched.error


def test_gzip_and_deflate_bodies_within_the_limit_are_inflated(server):
    blog = server.add_blog("cooking", kind="atom", posts=1)
    body = server.routes["/cooking/feed.atom"].body
    atom = "application/atom+xml"
    server.routes["/gz.xml"] = Route(gzip.compress(body), atom, headers={"Content-Encoding": "gzip"})
    server.routes["/zz.xml"] = Route(zlib.compress(body), atom, headers={"Content-Encoding": "deflate"})
    assert fetcher.get(server.url("/gz.xml")).body == body == fetcher.get(server.url("/zz.xml")).body
    assert server.requests[-1][1]["Accept-Encoding"] == "gzip, deflate" and blog.url


def test_a_body_compressed_in_a_way_not_asked_for_is_refused(server):
    server.routes["/br.xml"] = Route(b"....", "application/xml", headers={"Content-Encoding": "br"})
    assert "compressed as 'br'" in fetcher.get(server.url("/br.xml")).error


def test_a_server_that_answers_too_slowly_is_cut_off_at_the_deadline(settings, server):
    settings.FEEDS_FETCH_DEADLINE_SECONDS = 0.5
    server.routes["/slow.xml"] = Route(b"<rss/>", "application/xml", delay=3)
    fetched = fetcher.get(server.url("/slow.xml"))
    assert not fetched.ok and "0.5 s deadline" in fetched.error and fetched.duration_ms < 2500


def test_redirects_are_followed_and_the_final_address_is_kept(server):
    blog = server.add_blog("moved", kind="json", posts=1)
    server.routes["/old-feed"] = Route(status=301, headers={"Location": blog.url}, conditional=False)
    fetched = fetcher.get(server.url("/old-feed"))
    assert fetched.ok and fetched.url == blog.url


def test_a_redirect_loop_stops_after_the_limit(settings, server):
    settings.FEEDS_MAX_REDIRECTS = 3
    server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"}, conditional=False)
    assert "More than 3 redirects" in fetcher.get(server.url("/loop")).error


def _public_only_but_this_server(server):
    """A policy as production has it (public addresses only), except that the test server's own
    address may be reached: what it redirects to is judged like any address."""
    def url_problem(url):
        if url.startswith(server.base):
            return None
        return addresses.url_problem(url, allow_local=False, purpose="public only", allow_http=True)

    def judge(address):
        return None if str(address) == "127.0.0.1" else addresses.public_address_problem(address)

    return FetchPolicy(judge=judge, url_problem=url_problem, deadline_seconds=5, max_bytes=10_000)


def test_a_redirect_to_a_private_address_is_not_followed(server):
    server.routes["/feed"] = Route(status=302, headers={"Location": "http://10.0.0.5/admin"}, conditional=False)
    fetched = fetch(server.url("/feed"), policy=_public_only_but_this_server(server))
    assert not fetched.ok and "Redirected to http://10.0.0.5/admin, not followed" in fetched.error
    assert "a private address" in fetched.error


def test_a_redirect_to_a_name_resolving_to_the_metadata_service_is_refused_at_connect(server, monkeypatch):
    server.routes["/feed"] = Route(status=302, headers={"Location": "http://internal.example.com/latest"},
                                   conditional=False)
    real_resolve = guarded_http.resolve

    def dns(host, port):
        if host == "internal.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return real_resolve(host, port)

    monkeypatch.setattr(guarded_http, "resolve", dns)
    fetched = fetch(server.url("/feed"), policy=_public_only_but_this_server(server))
    assert not fetched.ok and "169.254.169.254, a cloud metadata address" in fetched.error


def test_in_production_a_local_feed_address_is_refused_before_any_request(settings, server):
    settings.FEEDS_ALLOW_LOCAL_ADDRESSES = False
    blog = server.add_blog("local", posts=1)
    fetched = fetcher.get(blog.url)
    assert "127.0.0.1 is a loopback address; feeds are fetched from public addresses only" in fetched.error
    assert server.requests == []


def test_feeds_accept_plain_http_on_public_hosts_and_refuse_other_schemes(settings):
    settings.FEEDS_ALLOW_LOCAL_ADDRESSES = False
    assert fetcher.feed_url_problem("http://blog.example.com/feed/") is None
    assert fetcher.feed_url_problem("ftp://blog.example.com/feed/") == "The URL must start with http:// or https://."
    assert "this machine" in fetcher.feed_url_problem("http://localhost:8000/feed")
    assert "user name or password" in fetcher.feed_url_problem("https://me:pw@blog.example.com/feed")

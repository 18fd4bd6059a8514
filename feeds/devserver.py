"""A local blog server for tests, the bench and the demo: many blogs' feeds and their article pages,
with ETags and Last-Modified, answering conditional requests with 304 as real servers do.

Not part of the service (a contract keeps production code from importing it). Every route is a
``Route``: a body, its headers, a status, and optional misbehaviour (a delay, a redirect). A blog is
``Blog``: its posts, rendered as RSS 2.0, Atom, JSON Feed or a sitemap, each post a page with Open
Graph, a Twitter card and JSON-LD, as a WordPress or Ghost blog serves them, and the images they
name (JPEGs drawn on first request).

    server = FeedServer().start()
    blog = server.add_blog("cooking", kind="rss", posts=5)
    blog.url  # http://127.0.0.1:PORT/cooking/feed.rss
    blog.edit(0, title="A new title"); blog.publish()  # the next poll sees an edit and a new post
    server.stop()

As a process (the bench, the demo's local blog): ``python -m feeds.devserver --blogs 1000 --posts 3``
serves blogs ``b0`` ... ``b999`` (RSS, Atom, JSON Feed and sitemaps in turn), prints its base URL,
and publishes a new post on ``POST /_publish/<blog>``.
"""

import argparse
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FEED_PATHS = {"rss": "feed.rss", "atom": "feed.atom", "json": "feed.json", "sitemap": "sitemap.xml"}
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json",
                 "sitemap": "application/xml"}


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: Conditional requests are answered (ETag from the body, Last-Modified from ``modified``).
    conditional: bool = True
    modified: float = field(default_factory=time.time)
    #: False: no Content-Length, the body ends when the connection closes (HTTP/1.0).
    sized: bool = True

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Post:
    slug: str
    title: str
    published: float
    summary: str = "A short summary of the post."


class Blog:
    """One blog on the server: its posts and the feed of ``kind`` listing them."""

    def __init__(self, server: "FeedServer", name: str, kind: str, posts: int) -> None:
        self.server, self.name, self.kind = server, name, kind
        start = 1_700_000_000.0
        self.posts = [Post(f"post-{i}", f"{name.title()} post {i}", start + i * 3600) for i in range(posts)]
        self.render()

    @property
    def base(self) -> str:
        return f"{self.server.base}/{self.name}"

    @property
    def url(self) -> str:
        return f"{self.base}/{FEED_PATHS[self.kind]}"

    def post_url(self, post: Post) -> str:
        return f"{self.base}/{post.slug}/"

    def publish(self, title: str = "") -> Post:
        post = Post(f"post-{len(self.posts)}", title or f"{self.name.title()} post {len(self.posts)}",
                    self.posts[-1].published + 3600 if self.posts else time.time())
        self.posts.append(post)
        self.render()
        return post

    def edit(self, index: int, *, title: str) -> None:
        self.posts[index].title = title
        self.render()

    def render(self) -> None:
        feed = {"rss": self._rss, "atom": self._atom, "json": self._json, "sitemap": self._sitemap}[self.kind]()
        self.server.routes[urlsplit(self.url).path] = Route(feed, CONTENT_TYPES[self.kind])
        for post in self.posts:
            self.server.routes[urlsplit(self.post_url(post)).path] = Route(self._page(post))

    def _rss(self) -> bytes:
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>{self.post_url(p)}</link>"
            f"<guid isPermaLink=\"false\">{self.name}-{p.slug}</guid>"
            f"<pubDate>{formatdate(p.published, usegmt=True)}</pubDate>"
            f"<description>{escape(p.summary)}</description></item>" for p in reversed(self.posts))
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{self.name}</title>'
                f"<link>{self.base}/</link><description>A blog</description>{items}</channel></rss>").encode()

    def _atom(self) -> bytes:
        def when(p: Post) -> str:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(p.published))

        entries = "".join(
            f'<entry><title>{escape(p.title)}</title><link href="{self.post_url(p)}"/>'
            f"<id>tag:{self.name},2026:{p.slug}</id><updated>{when(p)}</updated>"
            f"<summary>{escape(p.summary)}</summary></entry>" for p in reversed(self.posts))
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>{self.name}</title><id>tag:{self.name},2026:feed</id>"
                f"<updated>2026-01-01T00:00:00Z</updated>{entries}</feed>").encode()

    def _json(self) -> bytes:
        return json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": self.name, "home_page_url": f"{self.base}/",
            "items": [{"id": f"{self.name}-{p.slug}", "url": self.post_url(p), "title": p.title,
                       "summary": p.summary,
                       "date_published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(p.published))}
                      for p in reversed(self.posts)],
        }).encode()

    def _sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.post_url(p)}</loc><lastmod>{time.strftime('%Y-%m-%d', time.gmtime(p.published))}"
            "</lastmod></url>" for p in self.posts)
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>").encode()

    def _page(self, post: Post) -> bytes:
        url, image = self.post_url(post), f"{self.base}/images/{post.slug}.jpg"
        ld = json.dumps({"@context": "https://schema.org", "@type": "BlogPosting", "headline": post.title,
                         "description": post.summary, "image": [image],
                         "datePublished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(post.published))})
        return f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(post.title)} | {self.name}</title>
<meta name="description" content="{escape(post.summary)}"><link rel="canonical" href="{url}">
<meta property="og:title" content="{escape(post.title)}"><meta property="og:url" content="{url}">
<meta property="og:description" content="{escape(post.summary)}"><meta property="og:image" content="{image}">
<meta property="og:image:width" content="1000"><meta property="og:image:height" content="1500">
<meta name="twitter:card" content="summary_large_image"><meta name="twitter:image" content="{image}">
<script type="application/ld+json">{ld}</script></head><body><article><h1>{escape(post.title)}</h1>
<img src="/{self.name}/images/{post.slug}-step.jpg" alt="A step" width="600" height="900">
<p>{escape(post.summary)}</p></article></body></html>""".encode()


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the bench makes thousands of requests
        pass

    def do_POST(self) -> None:
        name = urlsplit(self.path).path.removeprefix("/_publish/")
        blog = self.server.owner.blogs.get(name)
        if blog is not None:
            with self.server.owner.lock:
                blog.publish()
        self.send_response(204 if blog is not None else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        route = owner.routes.get(path) or owner.image_route(path)
        with owner.lock:
            owner.requests.append((path, dict(self.headers)))
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.delay:
            time.sleep(route.delay)
        last_modified = formatdate(route.modified, usegmt=True)
        # RFC 9110 13.2.2: If-None-Match, when sent, decides; If-Modified-Since only without it.
        etag = self.headers.get("If-None-Match")
        matches = etag == route.etag if etag else self.headers.get("If-Modified-Since") == last_modified
        if route.conditional and route.status == 200 and matches:
            owner.not_modified += 1
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.sized:
            self.send_header("Content-Length", str(len(route.body)))
        if route.conditional:
            self.send_header("ETag", route.etag)
            self.send_header("Last-Modified", last_modified)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(route.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    owner: "FeedServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (a refused bomb, a deadline) is what the tests want


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 serving ``routes`` (path -> Route)."""

    def __init__(self, port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.blogs: dict[str, Blog] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.not_modified = 0
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="feed-server", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def image_route(self, path: str) -> Route | None:
        """A post's image (``/<blog>/images/<slug>.jpg``), drawn on first request: a JPEG photo
        stand-in in a colour of its own, so designs made of it differ from post to post."""
        if not (path.endswith(".jpg") and "/images/" in path and path.split("/", 2)[1] in self.blogs):
            return None
        from io import BytesIO

        from PIL import Image, ImageDraw  # only the demo's and the tests' images need Pillow

        digest = hashlib.sha1(path.encode()).digest()
        base, accent = tuple(digest[:3]), tuple(255 - b for b in digest[3:6])
        image = Image.new("RGB", (600, 900), base)
        draw = ImageDraw.Draw(image)
        for ring in range(6):
            inset = 60 + ring * 45
            draw.ellipse((inset, inset + 150, 600 - inset, 750 - inset), outline=accent, width=18)
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=80)
        route = Route(buffer.getvalue(), "image/jpeg")
        with self.lock:
            self.routes[path] = route
        return route

    def add_blog(self, name: str, *, kind: str = "rss", posts: int = 3) -> Blog:
        blog = self.blogs[name] = Blog(self, name, kind, posts)
        return blog

    def start(self) -> "FeedServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


TOPICS = ["Slow cooker beef stew", "Lemon ricotta pancakes", "Sourdough for beginners", "Crème brûlée at home",
          "One-pan chicken and rice", "Spiced pumpkin soup", "Blueberry galette", "Miso glazed salmon"]


def _keep_publishing(server: FeedServer, seconds: float) -> None:
    while True:
        time.sleep(seconds)
        with server.lock:
            for blog in server.blogs.values():
                post = blog.publish(TOPICS[len(blog.posts) % len(TOPICS)])
                print(f"published {blog.post_url(post)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve many local blogs' feeds and pages.")
    parser.add_argument("--blogs", type=int, default=10)
    parser.add_argument("--posts", type=int, default=3)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--publish-every", type=float, default=0,
                        help="Seconds between new posts on every blog (the demo's blog that keeps writing); 0: never.")
    args = parser.parse_args()
    server = FeedServer(port=args.port)
    kinds = list(FEED_PATHS)
    for index in range(args.blogs):
        blog = server.add_blog(f"b{index}", kind=kinds[index % len(kinds)], posts=args.posts)
        if args.publish_every > 0:  # a blog that keeps writing reads as one
            for number, post in enumerate(blog.posts):
                post.title = TOPICS[number % len(TOPICS)]
            blog.render()
    print(server.base, flush=True)
    if args.publish_every > 0:
        threading.Thread(target=_keep_publishing, args=(server, args.publish_every), daemon=True).start()
    try:
        server._server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

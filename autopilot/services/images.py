"""An article's images, downloaded for its designs: untrusted input from the internet.

Each candidate URL (``BlogArticle.image_candidates``, best first) is fetched through the project's
guarded fetch (``pinpublisher.fetching``) under the feeds' address rule (``FEEDS_ALLOW_LOCAL_ADDRESSES``),
with the feeds' deadline and a size limit (``AUTOPILOT_IMAGE_MAX_BYTES``), then judged by
publishing's image rules (``publishing.rules.check_image``: format, bytes, megapixels) before the
renderer decodes it, which itself downscales under ``PIN_IMAGE_CONVERTED_MAX_PIXELS``. A candidate
that fails is skipped with its reason; an article without a usable image gets the text template
(the renderer's fallback). The bytes are held for the run, not stored: the pins store their
designs, and a run retried after a crash downloads again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from autopilot.conf import autopilot_settings
from feeds.conf import feeds_settings
from pinpublisher import addresses
from pinpublisher.addresses import IPAddress
from pinpublisher.fetching import Fetched, FetchPolicy, fetch
from publishing.models import BlogArticle
from publishing.rules import check_image

PURPOSE = "article images are fetched from public addresses only"
USER_AGENT = "pinpublisher-autopilot/1.0 (+image fetch)"


@dataclass(frozen=True)
class ArticleImage:
    data: bytes
    url: str
    alt: str = ""


def _local() -> bool:
    return bool(feeds_settings.FEEDS_ALLOW_LOCAL_ADDRESSES)


def _judge(address: IPAddress) -> str | None:
    return addresses.address_problem(address, allow_local=_local())


def _url_problem(url: str) -> str | None:
    return addresses.url_problem(url, allow_local=_local(), purpose=PURPOSE, allow_http=True)


def image_fetch(url: str) -> Fetched:
    policy = FetchPolicy(
        judge=_judge, url_problem=_url_problem,
        deadline_seconds=float(feeds_settings.FEEDS_FETCH_DEADLINE_SECONDS),
        max_bytes=int(autopilot_settings.AUTOPILOT_IMAGE_MAX_BYTES),
        max_redirects=int(feeds_settings.FEEDS_MAX_REDIRECTS),
        connect_timeout=float(feeds_settings.FEEDS_CONNECT_TIMEOUT_SECONDS),
        read_timeout=float(feeds_settings.FEEDS_READ_TIMEOUT_SECONDS),
        user_agent=USER_AGENT, accept="image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8",
    )
    return fetch(url, policy=policy)


def article_images_download(*, article: BlogArticle) -> tuple[list[ArticleImage], list[str]]:
    """The article's usable images, best first (at most ``AUTOPILOT_MAX_IMAGES``), and why each
    other candidate was skipped."""
    images: list[ArticleImage] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for candidate in article.image_candidates or []:
        url = str(candidate.get("url") or "") if isinstance(candidate, dict) else ""
        if not url or url in seen:
            continue
        if len(images) >= int(autopilot_settings.AUTOPILOT_MAX_IMAGES):
            break
        seen.add(url)
        fetched = image_fetch(url)
        if not fetched.ok:
            skipped.append(f"{url}: {fetched.error or f'answered {fetched.status_code}'}")
            continue
        errors: dict[str, list[str]] = {}
        check_image(SimpleUploadedFile("candidate", fetched.body), errors)
        if errors:
            skipped.append(f"{url}: {' '.join(errors['image'])}")
            continue
        images.append(ArticleImage(fetched.body, url, str(candidate.get("alt") or "")))
    return images, skipped

"""What every kind of feed is read into."""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime


class FeedError(Exception):
    """The body is not a feed we can read; the message says why, for the project's page."""


@dataclass(frozen=True)
class Entry:
    """One post a feed lists. ``guid`` may be empty (a sitemap has none); ``url`` never is."""

    url: str
    guid: str = ""
    title: str = ""
    summary: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    image: str = ""

    @property
    def key(self) -> str:
        return self.guid or self.url

    def fingerprint(self) -> str:
        """Changes when anything the article is made from changes (an edit)."""
        data = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ParsedFeed:
    kind: str
    title: str = ""
    entries: list[Entry] = field(default_factory=list)

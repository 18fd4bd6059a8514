"""The events pinpublisher counts, where they happen (prometheus-client's instruments).

What happened (a pin published, an answer from Pinterest, a request served) is counted in the
process it happened in: a web worker, a django-q2 worker. Those are separate processes, so with
``PROMETHEUS_MULTIPROC_DIR`` set (production: every process of a node shares one directory) each
process writes its counts to a file there and ``/metrics`` sums the node's files
(prometheus-client's multiprocess mode). Without it the counts are the serving process's own
(tests, ``runserver``). Only counters and histograms live here: multiprocess mode sums them
correctly, while a gauge of state would be one process's view. State (the due backlog, busy
runner places, token health, the webhook backlog) is read from the database at scrape time
instead (``ops.collector``), the same from every node; only what an index answers cheaply
(a whole table counted on every scrape would grow with it).

No label holds a tenant, account, pin or any other id: every label's values are a short,
fixed set (a route's pattern, a status, a reason), so the number of series stays bounded.
"""

from prometheus_client import Counter, Histogram

PREFIX = "pinpublisher"

PINS_PUBLISHED = Counter(f"{PREFIX}_pins_published", "Pins published (a 201, or found by a look after a lost answer)")
PINS_FAILED = Counter(f"{PREFIX}_pins_failed", "Pins that ended in error, by reason", ["reason"])
PINS_RECONCILED = Counter(
    f"{PREFIX}_pins_reconciled", "Unknown outcomes resolved by looking at the board, by result", ["result"]
)
PIN_LATENESS = Histogram(
    f"{PREFIX}_pin_lateness_seconds",
    "Published minus scheduled time of each published pin",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600),
)
PINTEREST_ANSWERS = Counter(
    f"{PREFIX}_pinterest_answers",
    "Pinterest API answers by endpoint (the path's template), method and HTTP status ('none': no answer came)",
    ["endpoint", "method", "status"],
)
PINTEREST_SECONDS = Histogram(
    f"{PREFIX}_pinterest_request_seconds",
    "Time of each call to Pinterest's API, by endpoint and method",
    ["endpoint", "method"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SPAM_BLOCKS = Counter(f"{PREFIX}_pinterest_spam_blocks", "Accounts Pinterest's anti-spam system blocked")
CONNECTION_HEALTH_CHANGES = Counter(
    f"{PREFIX}_connection_health_changes",
    "Connections that started or stopped needing a person, by their new health",
    ["health"],
)
WEBHOOK_ATTEMPTS = Counter(
    f"{PREFIX}_webhook_attempts", "Webhook POSTs made, by result (ok: a 2xx answer)", ["result"]
)
WEBHOOK_GIVEN_UP = Counter(f"{PREFIX}_webhook_deliveries_given_up", "Webhook deliveries whose retries ran out")
HTTP_REQUESTS = Counter(
    f"{PREFIX}_http_requests",
    "Requests served, by route (the URL pattern, never the path), method and status",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    f"{PREFIX}_http_request_seconds",
    "Time to answer a request, by route and method",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

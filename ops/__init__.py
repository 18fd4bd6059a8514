"""Running pinpublisher in production: metrics (``/metrics``), health (``/healthz``, ``/readyz``)
and the request's context in every log line (``middleware``). An interface app on top of the
others: it reads their models and selectors and answers their signals; nothing imports it."""

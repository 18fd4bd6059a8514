"""A local stand-in for Pinterest API v5, for tests and the one-command demo.

It speaks the part of Pinterest this project uses, as Pinterest does: the OAuth
authorize page (straight back with a code and the state), ``POST /v5/oauth/token``
(authorization_code and refresh_token grants, rotating refresh tokens, expiries),
``GET /v5/user_account``, ``GET /v5/boards``, ``GET /v5/boards/{id}/pins`` and
``GET /v5/boards/{id}/sections`` (bookmark paging), ``POST /v5/media`` with an S3-like
``upload_url`` of its own (streamed) and ``GET /v5/media/{id}`` (registered, processing,
succeeded or failed), ``POST /v5/pins`` (validated by PinCreate's rules: sections,
carousels of 2-5 same-size images, processed videos). It can add latency,
enforce a per-token rate limit, fail the next requests in chosen ways, or hang.

- ``pinterest.standin.server``: ``Standin`` and ``run_standin(**options)``
- ``pinterest.standin.testing``: the ``standin`` pytest fixture; its docstring is the
  reference for the Python API and the control endpoint
- ``manage.py run_pinterest_standin``: run it in the foreground

State lives in memory. Production settings never point here.
"""

"""Services of the analytics app, one module per job.

- ``windows``: which days a sync asks Pinterest for, and which of them are final (pure rules).
- ``store``: the days Pinterest sent, upserted in bulk; where each pin's and account's sync stands.
- ``sync``: one connection's sync (its account's totals, then its published pins), Pinterest's
  errors judged once (``pinterest.services.verdicts``): a 429 waited or deferred, a 404 marks the
  pin gone, a rejected token marks the connection inactive.
- ``lease``: one sync of a connection at a time (a lease, not a lock held across HTTP), and
  ``connection_sync_request``, what every "Sync now" calls.

Reads are in ``analytics.selectors``.
"""

"""Services: every write of the publishing app (HackSoft style, keyword-only, typed).

- ``publishing.services.content``: projects, articles and pins (create, update, schedule).
- ``publishing.services.publish``: the journey to Pinterest (claim, publish, batches,
  the due-pin sweep, reconciliation of unknown outcomes).
- ``publishing.services.tenants``: tenants, owners and their API tokens.
"""

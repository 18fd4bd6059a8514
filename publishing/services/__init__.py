"""Services: every write of the publishing app (HackSoft style, keyword-only, typed).

- ``publishing.services.content``: projects, articles and pins (create, update, schedule).
- ``publishing.services.readiness``: a person's bulk status changes (mark ready, retry).
- ``publishing.services.tenants``: tenants, owners and their API tokens.
- ``publishing.services.demo``: the demo tenant and its pins.

The journey of a pin to Pinterest is the engine: ``publishing.engine``.
"""

"""The audit trail (issue 29): who changed what, when, with the fields before and after.

Every write service of every app calls ``audit.record.record`` once per change it makes; the actor
comes from ``audit.actors`` (the request's person or API key, or the job that runs). The trail is
append-only: nothing in the admin or the API writes it, and the model refuses to change or delete
a saved row; only the retention purge (``audit.services.audit_purge``) removes rows.
"""

"""What the pinterest app tells other apps, so it never reads or writes their tables.

``connection_target_requested(tenant, target)``: a caller asked that the connection about
to be made be given to ``target`` (opaque here; publishing passes a project id). Sent
before Pinterest is called or anything stored; a receiver raises
``pinterest.errors.ConnectError`` to refuse a target that is not the tenant's.

``connection_saved(tenant, connection, created, target)``: sent inside the transaction
that stores the connection; a receiver attaches it to ``target``. An exception rolls the
connection back with it.
"""

from django.dispatch import Signal

connection_target_requested = Signal()
connection_saved = Signal()

#: ``connection_health_changed(connection, health, detail, previous)``: sent once per change
#: of what a person must know about a connection: it needs a person (``health`` is
#: needs_reconnect, spam_blocked, or refresh_failing for more than a day), or it recovered
#: (``health`` is ok after one of those). Sent inside the transaction that records the change
#: as told (the connection's row is locked): a receiver that writes rows commits or rolls back
#: with it (the webhooks outbox); one that acts outside the database defers that with
#: ``transaction.on_commit`` (publishing emails the tenant's owners once it is committed).
connection_health_changed = Signal()

#: ``api_answered(method, endpoint, status, seconds)``: Pinterest's API answered a call (``status``
#: its HTTP status) or none came (``status`` None: refused, timed out, broken off). ``endpoint``
#: is the path's template (``/pins/{id}``), never an id. Sent by every client
#: ``pinterest.services.clients`` builds, outside any transaction; receivers must be quick and
#: must not raise (the project's metrics count them).
api_answered = Signal()

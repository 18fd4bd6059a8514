"""What publishing tells other apps about its outcomes, so it never imports them.

Every signal here is sent by ``publishing.engine.outcome`` INSIDE the database transaction
that writes the decisive state: a receiver that writes rows (the webhooks outbox) commits
or rolls back with the change it reports, and an exception it raises rolls the change back.
A receiver with effects outside the database defers them with ``transaction.on_commit``.
Receivers must be quick: the transaction may hold the pin's row.

``pin_published(pin_id, pinterest_pin_id, pinterest_pin_url, published_at, scheduled_at)``: a pin
is ``published`` (a 201, a look that found it, or a late 201 that corrects an earlier guess);
``scheduled_at`` is the time it was due (None when not known to the sender: a late 201), for
the lateness metric, read from the pin already in hand so no receiver needs to query.

``pin_failed(pin_id, error, failed_at)``: a pin is ``error`` with ``error`` (the message a
person reads), including a pin that gave up a Pinterest id a look had wrongly given it.

``pin_reconciled(pin_id, status, pinterest_pin_id, pinterest_pin_url, error)``: an unknown
outcome (a lost answer, a worker that died) was resolved by looking at the board; sent right
after the ``pin_published`` or ``pin_failed`` of the same decision.

``batch_finished(batch_id, finished_at)``: a publish batch has no pending item left.
"""

from django.dispatch import Signal

pin_published = Signal()
pin_failed = Signal()
pin_reconciled = Signal()
batch_finished = Signal()

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

The review of issue 29 (sent by ``publishing.services.content.review`` inside the transaction
of the status change, like the others):

``pins_review_requested(pin_ids, action, requested_by, requested_at)``: the pins wait in review
for an owner, with what was asked (``schedule``, ``queue``, ``publish``) by whom (a username);
one signal per ask, so the owners get one email for a bulk ask.

``pin_approved(pin_id, action, approved_by, approved_at)``: an owner approved; the asked action
was done in the same transaction (a publish is then under way).

``pin_rejected(pin_id, comment, rejected_by, rejected_at)``: an owner sent the pin back to draft
with ``comment``.

Articles (issue 28), sent by ``publishing.services.content.feed_articles`` inside the transaction
that creates the article:

``article_from_feed(article_id, project_id)``: a feed's new entry became a new article (an edited
entry, which updates its article, is not sent: autopilot makes an article's pins once).
"""

from django.dispatch import Signal

pin_published = Signal()
pin_failed = Signal()
pin_reconciled = Signal()
batch_finished = Signal()
pins_review_requested = Signal()
pin_approved = Signal()
pin_rejected = Signal()
article_from_feed = Signal()

"""The publishing engine: the journey of a pin to Pinterest, one module per step.

- ``lease``: who may call Pinterest for a pin (claims, the lease compare-and-set).
- ``payload``: a pin as Pinterest's create-pin body (``PinCreatePayload``).
- ``context``: what publishing to one account needs (its client, read once), and who publishes
  (``Caller``: a person waiting, or a dispatcher holding the account's slot).
- ``verdicts``: what Pinterest's verdict on a call does to the pin, for each caller.
- ``create``: pace, create, decide on the answer; ``pin_publish`` (publish now, never waiting
  longer than ``PUBLISH_NOW_MAX_WAIT_SECONDS``: what would is handed to the dispatchers).
- ``reconcile``: resolve an unknown outcome by looking at the board, never by posting again.
- ``outcome``: deciding a pin (published, error, back on the schedule) and telling its batches.
- ``audit``: one PublishAttempt row per call to Pinterest.
- ``batches``: many pins in the background: a batch and its items, each waiting pin claimed for
  its batch in its account's slot.
- ``dispatch``: due pins and batch pins at each account's pace, the calls on a pool of threads,
  no thread waiting on pacing.
- ``work``: the work of the runners and the sweep: accounts with work, dispatching it
  (``pins_dispatch``), recovering pins past their lease (``pins_recover``).
- ``runners``: pins publish on time, every cluster sharing the work (a peer of the sweep).
- ``sweep``: due pins publish themselves and nothing stays stuck (the safety net, a peer of
  the runners).
- ``queue``: work handed to django-q2 by dotted path.

The contract (docs/architecture.md, "Exactly once"):

- A pin moves into ``publishing`` only by a compare-and-set UPDATE committed before any
  HTTP call. Whoever holds its lease is the only one who may call Pinterest for it.
- The HTTP call never runs inside a transaction; every state change around it is its own
  short statement.
- A definite answer decides; an unknown outcome is resolved by looking at the board, and
  a failed pin is never re-posted automatically: a person retries.
- A Pinterest pin id belongs to at most one pin (a unique constraint).
- Creates are paced per connection across every process by a slot on the connection row.
- Every call to Pinterest leaves a PublishAttempt row.

Callers (API, admin, commands, tasks) use only the names below.
"""

from publishing.engine.batches import batch_expected_at, batch_summary, batches_resume_stalled, pins_publish_bulk
from publishing.engine.create import pin_publish, pin_validate_for_publish
from publishing.engine.payload import pin_build_payload
from publishing.engine.reconcile import pin_reconcile
from publishing.engine.results import (
    MSG_IMAGE_MISSING,
    MSG_INTERRUPTED,
    MSG_NO_BOARD,
    MSG_NO_CONNECTION,
    MSG_NO_IMAGE,
    MSG_NOT_SENT,
    PinNotPublishable,
    PinValidationError,
    PublishResult,
)
from publishing.engine.runners import runner_turn, runners_start, runners_watch
from publishing.engine.sweep import pins_due_preview, pins_publish_due

__all__ = [
    "MSG_IMAGE_MISSING",
    "MSG_INTERRUPTED",
    "MSG_NOT_SENT",
    "MSG_NO_BOARD",
    "MSG_NO_CONNECTION",
    "MSG_NO_IMAGE",
    "PinNotPublishable",
    "PinValidationError",
    "PublishResult",
    "batch_expected_at",
    "batch_summary",
    "batches_resume_stalled",
    "pin_build_payload",
    "pin_publish",
    "pin_reconcile",
    "pin_validate_for_publish",
    "pins_due_preview",
    "pins_publish_bulk",
    "pins_publish_due",
    "runner_turn",
    "runners_start",
    "runners_watch",
]

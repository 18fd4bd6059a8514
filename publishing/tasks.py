"""django-q2 entry points: they take ids and call the engine, nothing more.

The engine enqueues these by dotted path (``publishing.engine.queue``) and never imports
this module. django-q2's ORM broker delivers at least once; every service called here is
safe to run twice (claims are compare-and-set, results are recorded once).
"""

from publishing import engine
from publishing.engine.queue import enqueue_publish_batch_group


def publish_batch_group(batch_id: str, pin_ids: list[str]) -> None:
    rest = engine.publish_batch_group(batch_id=batch_id, pin_ids=list(pin_ids))
    if rest:
        # The group outlasts one task's time: a continuation takes the pins not reached.
        enqueue_publish_batch_group(batch_id=batch_id, pin_ids=rest)


def publish_due() -> dict:
    """The scheduled sweep (every PUBLISH_SWEEP_MINUTES)."""
    report = engine.pins_publish_due()
    # django-q2 stores the result; the per-pin details live in PublishAttempt rows.
    return {key: value for key, value in report.items() if key != "details"}


def publish_on_time() -> int:
    """Every minute: start runners when pins are due or about to be (engine.runners)."""
    return engine.runners_start()


def publish_runner(slot: int, token: str) -> dict:
    """One runner's turn; it hands its place on to a continuation task itself."""
    return engine.runner_turn(slot=slot, token=token)

"""django-q2 entry points: they take ids and call the engine, nothing more.

The engine enqueues these by dotted path (``publishing.engine.queue``) and never imports
this module. django-q2's ORM broker delivers at least once; every service called here is
safe to run twice (claims are compare-and-set, results are recorded once).
"""

from publishing import engine


def publish_batch_group(batch_id: str, pin_ids: list[str]) -> int:
    """Tasks queued before bulk batches were published by the runners: the batch's waiting pins
    are the runners' work now, so this only starts them."""
    return engine.runners_start()


def publish_due() -> dict:
    """The scheduled sweep (every PUBLISH_SWEEP_MINUTES)."""
    report = engine.pins_publish_due()
    # django-q2 stores the result; the per-pin details live in PublishAttempt rows.
    return {key: value for key, value in report.items() if key != "details"}


def publish_on_time() -> int:
    """Every minute: start runners when pins are due or about to be (engine.runners)."""
    return engine.runners_start()


def publish_runner(slot: int, token: str, after_crash: bool = False) -> dict:
    """One runner's turn; it hands its place on to a continuation task itself."""
    return engine.runner_turn(slot=slot, token=token, after_crash=after_crash)

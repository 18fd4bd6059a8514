"""Pins wired to an account on the running Pinterest stand-in, and running things at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from tests.factories import make_board, make_connection, make_pin, make_project


def standin_account(standin, tenant=None, boards=1, **connection_fields):
    """A connection whose token works on the stand-in, with ``boards`` real boards."""
    user = standin.create_user()
    access, refresh = standin.issue_tokens(user)
    connection = make_connection(
        tenant=tenant,
        pinterest_user_id=str(user.id),
        username=user.username,
        access_token=access,
        refresh_token=refresh,
        **connection_fields,
    )
    board_objs = [
        make_board(connection=connection, pinterest_board_id=standin.add_board(user, f"Board {i}"))
        for i in range(boards)
    ]
    return connection, board_objs


def standin_pins(standin, count=1, connection=None, board=None, **pin_fields):
    if connection is None:
        connection, (board,) = standin_account(standin)
    project = make_project(tenant=connection.tenant, connection=connection)
    return [make_pin(project=project, board=board, **pin_fields) for _ in range(count)]


def create_calls(standin):
    """How many create-pin requests reached the stand-in (created or not)."""
    return sum(1 for call in standin.calls if call.endpoint == "create_pin")


def remote_copy(standin, pin, **overrides):
    """Put on the pin's board a pin matching everything ``pin`` sends (as if its create went
    through), without counting it as a creation."""
    from publishing.engine import pin_build_payload

    payload = pin_build_payload(pin=pin)
    fields = {name: payload.get(name) for name in ("title", "link", "description", "alt_text")}
    return standin.add_pin(pin.board.pinterest_board_id, **{**fields, **overrides})


def in_threads(functions):
    """Run callables at once (released together), each closing its own DB connection."""
    barrier = threading.Barrier(len(functions))

    def run(function):
        try:
            barrier.wait()
            return function()
        except Exception as exc:  # returned, so the test can look at every outcome
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(functions)) as pool:
        return list(pool.map(run, functions))


def pacing_gaps(standin):
    """Gaps between consecutive creates of one account: (as sent, by our clock; as stored, by the
    stand-in's clock). Slots are guaranteed on the first; the second adds the machine's jitter
    (a thread descheduled between stamping and sending, the stand-in's own threads), which on a
    loaded machine can be large: benchmarks measure it, tests bound it loosely."""
    from publishing.models import PublishAttempt

    sent = {}
    for account, started in PublishAttempt.objects.filter(kind=PublishAttempt.Kind.CREATE).values_list(
        "pin__project__pinterest_connection_id", "started_at"
    ):
        sent.setdefault(account, []).append(started.timestamp())
    stored = {}
    for creation in standin.creations:
        stored.setdefault(creation.token_id, []).append(creation.time)

    def gaps(groups):
        found = []
        for times in groups.values():
            times.sort()
            found += [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        return found

    return gaps(sent), gaps(stored)

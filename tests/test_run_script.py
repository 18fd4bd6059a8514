"""`make run`'s Ctrl-C: every child is stopped, one that ignores SIGTERM (a worker inside a task)
is killed after the grace instead of being waited for, and each says how it ended."""

import importlib.util
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "run.py"


def load_run_script():
    spec = importlib.util.spec_from_file_location("pinpublisher_run_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child(code):
    """A child in its own process group, as ``Runner.start`` makes them, that has set itself up."""
    process = subprocess.Popen([sys.executable, "-c", f"{code}\nprint('ready', flush=True)\nimport time\n"
                                "time.sleep(60)"], start_new_session=True, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def test_ctrl_c_stops_the_willing_kills_the_stubborn_after_the_grace_and_says_how_each_ended(capsys):
    run = load_run_script()
    runner = run.Runner(env={})
    willing = child("")
    stubborn = child("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)")
    runner.children = [("web", willing), ("worker", stubborn)]

    stopped = runner.stop(grace=0.5)

    assert willing.poll() is not None and stubborn.poll() is not None
    assert stubborn.returncode == -9  # SIGKILL: it was not waited for past the grace
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"web (pid {willing.pid}) stopped", f"worker (pid {stubborn.pid}) killed after 0.5 s"]
    assert stopped == [("web", willing.pid), ("worker", stubborn.pid)]


def test_the_default_grace_keeps_ctrl_c_within_three_seconds():
    assert load_run_script().STOP_GRACE_SECONDS < 3

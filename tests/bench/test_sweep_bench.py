"""The sweep benchmark's measuring tools (the benchmark itself runs in CI as bench/quick.sh)."""

import os

from bench.sweep_bench import run_measuring_own_peak

MIB = 1024  # KiB


def _touched(size: int) -> bytearray:
    data = bytearray(size)
    for index in range(0, size, 4096):
        data[index] = 1
    return data


def test_a_childs_peak_memory_is_its_own_not_the_size_of_the_process_that_started_it(tmp_path):
    # A fork starts as a copy of this process, and wait4's ru_maxrss keeps that copy's size:
    # the old measure said at least 128 MiB here for a child that never held more than ~40.
    ballast = _touched(128 * 1024 * 1024)
    script = tmp_path / "child.py"
    script.write_text(
        "data = bytearray(20 * 1024 * 1024)\nfor index in range(0, len(data), 4096):\n    data[index] = 1\n"
    )

    code, peak = run_measuring_own_peak(str(script), env=dict(os.environ), log_path=tmp_path / "child.log")

    assert code == 0
    assert 20 * MIB <= peak < 64 * MIB
    assert len(ballast) == 128 * 1024 * 1024


def test_a_child_that_fails_still_reports_its_peak_and_its_exit_code(tmp_path):
    script = tmp_path / "child.py"
    script.write_text("raise SystemExit(3)\n")

    code, peak = run_measuring_own_peak(str(script), env=dict(os.environ), log_path=tmp_path / "child.log")

    assert code == 3
    assert 0 < peak < 64 * MIB

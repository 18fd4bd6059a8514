#!/usr/bin/env bash
# Every benchmark in bench/ in its --quick mode: a smoke check that the benchmarks still run the
# real code and keep their bounds. Fails (exit 1) when any fails; runs them all either way.
#
#   bench/quick.sh                      # or: make bench-quick
#   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 bench/quick.sh
#
# Every bench/*.py is run (helper modules are named _*.py and skipped), so a new benchmark is
# picked up by itself: give it a --quick mode that exercises its real path in well under a
# minute and exits non-zero on a crash or a broken bound. A benchmark that reads DATABASE_URL
# gets a fresh PostgreSQL database bench_quick_<name>_<pid>, dropped afterwards; the others make
# their own (on BENCH_POSTGRES_URL). Each run is stopped after BENCH_QUICK_TIMEOUT seconds (600).
set -uo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-.venv/bin/python}"
server="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
server="${server%/}"
limit="${BENCH_QUICK_TIMEOUT:-600}"
export BENCH_POSTGRES_URL="$server"

databases=()
cleanup() {
  for db in "${databases[@]}"; do
    psql "$server/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

failed=()
passed=()
started_all=$SECONDS
for bench in bench/*.py; do
  name="$(basename "$bench" .py)"
  case "$name" in _*) continue ;; esac
  db="bench_quick_${name}_$$"
  if ! psql "$server/postgres" -qc "CREATE DATABASE \"$db\"" >/dev/null; then
    echo "bench/quick.sh: cannot create database $db on $server" >&2
    failed+=("$name (no database)")
    continue
  fi
  databases+=("$db")
  printf '\n--- %s --quick\n' "$bench"
  started=$SECONDS
  DATABASE_URL="$server/$db" timeout --kill-after=15 "$limit" "$python" "$bench" --quick
  code=$?
  took=$((SECONDS - started))
  psql "$server/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$code" -eq 0 ]; then
    passed+=("$name ${took}s")
    echo "--- $name: passed in ${took} s"
  else
    [ "$code" -eq 124 ] && code="timed out after ${limit} s"
    failed+=("$name (exit $code, ${took}s)")
    echo "--- $name: FAILED (exit $code) after ${took} s"
  fi
done

printf '\nbenchmarks, quick, %s s in all:\n' "$((SECONDS - started_all))"
for line in "${passed[@]}"; do printf '  passed  %s\n' "$line"; done
for line in "${failed[@]}"; do printf '  FAILED  %s\n' "$line"; done
[ "${#failed[@]}" -eq 0 ]

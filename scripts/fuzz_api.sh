#!/usr/bin/env bash
# Fuzz the REST API with schemathesis against its own live OpenAPI schema (/api/schema/).
#
#   scripts/fuzz_api.sh [VENV]          VENV defaults to .venv
#
# Self-contained: it migrates a database (a fresh SQLite file in a temporary folder, or
# DATABASE_URL when set, e.g. a scratch PostgreSQL database), creates a tenant, an owner with
# an API key (every scope) and some content, starts gunicorn (2 workers) on a free loopback port, runs
# schemathesis with that token, stops the server and exits non-zero if schemathesis found a
# 5xx or a response that breaks the schema.
#
# Knobs: FUZZ_MAX_EXAMPLES (default 30 per operation), FUZZ_SEED (reproduce a run),
# FUZZ_PHASES (default examples,coverage,fuzzing). schemathesis is installed into VENV from
# requirements-fuzz.txt when missing. Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${1:-.venv}
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no python at $PY (give the virtualenv as the first argument)" >&2; exit 2; }
if [ ! -x "$VENV/bin/st" ]; then
  "$PY" -m pip install -q -r requirements-fuzz.txt
fi

workdir=$(mktemp -d)
server_pid=""
standin_pid=""
cleanup() {
  for pid in "$server_pid" "$standin_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" && wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$workdir"
}
trap cleanup EXIT

# A production-like configuration (DEBUG off), with throwaway secrets.
export DEBUG=0
export SECRET_KEY="fuzz-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(40))')"
export PINPUBLISHER_TOKEN_KEYS="$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export ALLOWED_HOSTS="127.0.0.1,localhost"
# Plain http on loopback: no redirect to https (production sits behind TLS).
export SECURE_SSL_REDIRECT=0
export MEDIA_ROOT="$workdir/media"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$workdir/fuzz.sqlite3}"
# The fuzzer sends thousands of requests with one key: no throttling for this run.
export API_THROTTLE_USER_RATE="" API_THROTTLE_KEY_RATE=""

# Pinterest is the local stand-in: publish, refresh and sync-boards reach a real peer.
sport=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" manage.py run_pinterest_standin --port "$sport" --seed-demo >"$workdir/standin.log" 2>&1 &
standin_pid=$!
export PINTEREST_API_BASE="http://127.0.0.1:$sport/v5"
export PINTEREST_OAUTH_AUTHORIZE_URL="http://127.0.0.1:$sport/oauth/"
export PINTEREST_APP_ID="1234567890" PINTEREST_APP_SECRET="fuzz-app-secret"
export PINTEREST_REDIRECT_URI="http://127.0.0.1/pinterest/callback/"
tokens=$("$PY" - "http://127.0.0.1:$sport/_standin/control" <<'EOF'
import json, sys, time, urllib.request
deadline = time.monotonic() + 30
body = json.dumps({"action": "issue_tokens", "user": "demo"}).encode()
while True:
    try:
        request = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"})
        print(*json.loads(urllib.request.urlopen(request, timeout=2).read())["result"])
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the stand-in did not answer within 30 s")
        time.sleep(0.3)
EOF
)
export FUZZ_ACCESS="${tokens%% *}" FUZZ_REFRESH="${tokens##* }"

echo "=== migrate (${DATABASE_URL%%://*})"
"$PY" manage.py migrate --no-input -v 0

echo "=== tenant, API key and content"
token=$("$PY" manage.py shell -v 0 -c '
import os
import secrets
from datetime import timedelta
from django.utils import timezone
from pinterest.models import PinterestConnection
from pinterest.services.connect import connection_add_from_token
from publishing.models import BlogArticle, BlogProject, Pin, PinStatus
from publishing.services.tenants import tenant_create

suffix = secrets.token_hex(4)
created = tenant_create(name=f"Fuzz {suffix}", owner_username=f"fuzz-{suffix}")
tenant = created.tenant
connection = connection_add_from_token(
    tenant=tenant, access_token=os.environ["FUZZ_ACCESS"], refresh_token=os.environ["FUZZ_REFRESH"]
).connection
PinterestConnection.objects.filter(pk=connection.pk).update(
    access_token_expires_at=timezone.now() + timedelta(days=30),
    scopes="boards:read,boards:write,pins:read,pins:write,user_accounts:read",
)
boards = list(connection.boards.order_by("name"))
project = BlogProject.objects.create(tenant=tenant, name="Fuzz blog", pinterest_connection=connection)
for i in range(5):
    article = BlogArticle.objects.create(project=project, url=f"https://blog.example.com/{i}", title=f"Article {i}")
    Pin.objects.create(
        project=project, article=article, board=boards[i % 3], title=f"Pin {i}" + "!" * (120 * (i % 2)),
        image_url=f"https://images.example.com/{i}.png",
        status=[PinStatus.DRAFT, PinStatus.READY_TO_SCHEDULE, PinStatus.PUBLISHED][i % 3],
        scheduled_at=timezone.now() + timedelta(days=i) if i % 3 == 1 else None,
    )
print(created.api_key)
' | tail -n 1)

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
echo "=== gunicorn on $base"
"$VENV/bin/gunicorn" pinpublisher.wsgi --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
  --log-level warning >"$workdir/server.log" 2>&1 &
server_pid=$!
"$PY" - "$base/api/schema/" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 30
while True:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2).read()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the server did not answer within 30 s")
        time.sleep(0.3)
EOF

echo "=== schemathesis"
status=0
seed_args=()
[ -n "${FUZZ_SEED:-}" ] && seed_args=(--seed "$FUZZ_SEED")
# Run from the temporary folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
# Revoking is not fuzzed: the first id it tried could be the run's own key, leaving every later
# request a 401 (tests/apikeys covers revocation).
ST="$(cd "$VENV/bin" && pwd)/st"
(cd "$workdir" && "$ST" run "$base/api/schema/" \
  --url "$base" \
  --header "Authorization: Token $token" \
  --checks not_a_server_error,response_schema_conformance \
  --exclude-operation-id keys_revoke \
  --phases "${FUZZ_PHASES:-examples,coverage,fuzzing}" \
  --max-examples "${FUZZ_MAX_EXAMPLES:-30}" \
  --workers 2 \
  --request-timeout 30 \
  --generation-database none \
  --no-color \
  "${seed_args[@]}") || status=$?

if [ "$status" -ne 0 ]; then
  echo "=== schemathesis failed (exit $status); the server's errors:" >&2
  grep -v -E "WARNING django.request (Not Found|Bad Request|Conflict|Method Not Allowed|Unsupported Media Type)" \
    "$workdir/server.log" | tail -n 80 >&2 || true
fi
exit "$status"

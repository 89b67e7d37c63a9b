#!/usr/bin/env bash
# Start the local Prefect server (`prefect server start`) in the background on 127.0.0.1:4200, so local runs,
# deployments, workers and watchers share one server and no run pays for starting a temporary one.
# Idempotent: does nothing if our instance is already running and accepts our credentials.
#
# API authentication is on: the server gets PREFECT_SERVER_API_AUTH_STRING, a random "sicoop:<secret>"
# generated once into .local/prefect.auth (mode 600, never in the repository). Prefect then answers every API
# request without it (HTTP Basic) with 401, except GET /api/health and /api/ready; the UI asks for it once.
# Clients read .local/prefect.env (mode 600): PREFECT_API_URL and PREFECT_API_AUTH_STRING (Makefile: run,
# pools, deploy, worker-*, watch*). The server has its own PREFECT_HOME (.local/prefect, mode 700: its SQLite
# database), none of the caller's PREFECT_* settings, and analytics off. Everything it writes is owner-only.
#
# Env: SICOOP_LOCAL_PREFECT_PORT (4200), SICOOP_LOCAL_PREFECT_START_TIMEOUT (120 s; it takes 10-30 s here).
set -euo pipefail
umask 077

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="$ROOT/.local"
PORT="${SICOOP_LOCAL_PREFECT_PORT:-4200}"
TIMEOUT="${SICOOP_LOCAL_PREFECT_START_TIMEOUT:-120}"
PREFECT_DIR="$STATE/prefect"
PID_FILE="$STATE/prefect-server.pid"
LOG_FILE="$STATE/prefect-server.log"
AUTH_FILE="$STATE/prefect.auth"
ENV_OUT="$STATE/prefect.env"
API_URL="http://127.0.0.1:$PORT/api"
# shellcheck source=daemon.sh
. "$HERE/daemon.sh"
daemon_init start_prefect "$PID_FILE" bin/prefect "$LOG_FILE" "$HERE/stop_prefect.sh"

if [[ ! -x "$ROOT/.venv/bin/prefect" ]]; then
    echo "start_prefect: $ROOT/.venv is missing: run 'make install' first" >&2
    exit 1
fi
mkdir -p "$STATE" "$PREFECT_DIR"
chmod 700 "$STATE"
private "$PREFECT_DIR" "$AUTH_FILE" "$ENV_OUT" "$PID_FILE" "$LOG_FILE"   # left by an earlier start

if [[ ! -s "$AUTH_FILE" ]]; then
    python3 -c 'import secrets; print("sicoop:" + secrets.token_urlsafe(32))' >"$AUTH_FILE"
fi
AUTH="$(cat "$AUTH_FILE")"
if [[ ! "$AUTH" =~ ^[A-Za-z0-9_:-]+$ ]]; then
    echo "start_prefect: $AUTH_FILE is malformed; delete it to generate a new auth string" >&2
    exit 1
fi

healthy() { curl -fsS --noproxy "*" -o /dev/null --max-time 2 "$API_URL/health" 2>/dev/null; }

# HTTP status of an authenticated request (the credentials go through curl's stdin, never its command line).
authenticated_status() {
    curl -sS --noproxy "*" -o /dev/null -w "%{http_code}" --max-time 5 -K - "$API_URL/hello" 2>/dev/null \
        <<<"user = \"$AUTH\"" || true
}

write_env() {
    printf '%s\n' "PREFECT_API_URL=$API_URL" "PREFECT_API_AUTH_STRING=$AUTH" >"$ENV_OUT"
}

# Ours, up and taking our credentials: done. Up with other credentials or silent: the caller must decide.
check_running() {
    if ! healthy; then
        echo "start_prefect: pid $(daemon_pid) from $PID_FILE is running but does not answer on $API_URL; stop it first (stop_prefect.sh)" >&2
        exit 1
    fi
    local status; status="$(authenticated_status)"
    if [[ "$status" != 200 ]]; then
        echo "start_prefect: the server on $API_URL answers $status to the auth string of $AUTH_FILE (started with another one?); stop it first (stop_prefect.sh)" >&2
        exit 1
    fi
    write_env
}

if daemon_running; then
    check_running
    echo "start_prefect: already running (pid $(daemon_pid)) at $API_URL"
    exit 0
fi
rm -f "$PID_FILE"   # stale

if port_open "$PORT"; then
    echo "start_prefect: 127.0.0.1:$PORT is already in use by another process; stop it or set SICOOP_LOCAL_PREFECT_PORT" >&2
    exit 1
fi

# Only this server's own settings, the secret in its environment (not on a command line), and its home as the
# working directory, so no .env or prefect.toml of the caller's folder applies either.
(
    while read -r name; do unset "$name"; done < <(compgen -e | grep '^PREFECT_' || true)
    export PREFECT_HOME="$PREFECT_DIR" PREFECT_SERVER_API_AUTH_STRING="$AUTH" PREFECT_UI_API_URL="$API_URL" \
        PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
    cd "$PREFECT_DIR"
    daemon_launch "$ROOT/.venv/bin/prefect" server start --host 127.0.0.1 --port "$PORT"
)
daemon_wait "$TIMEOUT" 0.5 "prefect server" "health reply on $API_URL" healthy
check_running
echo "start_prefect: Prefect server running (pid $(daemon_pid)) at $API_URL, API auth on (.local/prefect.auth), home $PREFECT_DIR"

#!/usr/bin/env bash
# Start a local FerretDB (MongoDB wire protocol, SQLite backend) in the background on 127.0.0.1.
# Idempotent: does nothing if our instance is already running. Builds the binary if missing.
#
# Env: FERRETDB_PORT (27018), FERRETDB_DATA_DIR (.local/ferretdb), FERRETDB_PID_FILE
#      (.local/ferretdb.pid), FERRETDB_LOG_FILE (.local/ferretdb.log), FERRETDB_START_TIMEOUT (30 s),
#      FERRETDB_LOG_LEVEL (error; "warn" also dumps every error reply in full).
# Connect with: mongodb://127.0.0.1:$FERRETDB_PORT/
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${FERRETDB_PORT:-27018}"
DATA_DIR="${FERRETDB_DATA_DIR:-$ROOT/.local/ferretdb}"
PID_FILE="${FERRETDB_PID_FILE:-$ROOT/.local/ferretdb.pid}"
LOG_FILE="${FERRETDB_LOG_FILE:-$ROOT/.local/ferretdb.log}"
TIMEOUT="${FERRETDB_START_TIMEOUT:-30}"
BIN="${FERRETDB_BIN:-$ROOT/.local/bin/ferretdb}"

# Ping through the project's own driver (pymongo in .venv, installed by scripts/bootstrap.sh).
ping_server() {
    "$ROOT/.venv/bin/python" - "$PORT" 2>/dev/null <<'PY'
import sys
from pymongo import MongoClient
MongoClient(f"mongodb://127.0.0.1:{sys.argv[1]}/", serverSelectionTimeoutMS=1000).admin.command("ping")
PY
}

# Is the pid in the pid file a live ferretdb process?
running() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid; pid="$(cat "$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q ferretdb "/proc/$pid/cmdline" 2>/dev/null
}

if running; then
    if ping_server; then
        echo "start_ferretdb: already running (pid $(cat "$PID_FILE"), port $PORT)"
        exit 0
    fi
    # Ours is up but silent on $PORT: started with another FERRETDB_PORT, or hung.
    echo "start_ferretdb: pid $(cat "$PID_FILE") from $PID_FILE is running but does not answer on port $PORT; stop it first" >&2
    exit 1
fi
rm -f "$PID_FILE"   # stale

if ping_server; then
    echo "start_ferretdb: port $PORT already answers MongoDB pings but is not ours ($PID_FILE); stop it or set FERRETDB_PORT" >&2
    exit 1
fi

"$HERE/build_ferretdb.sh" >/dev/null   # no-op when already built
mkdir -p "$DATA_DIR" "$(dirname "$PID_FILE")" "$(dirname "$LOG_FILE")"

# Telemetry off and debug HTTP listener off: fully offline, loopback only.
# setsid: own session, so killing the caller's process group (Ctrl-C, CI job) leaves it running.
# (Without job control the child is no group leader, so setsid execs in place and $! is ferretdb.)
setsid "$BIN" \
    --handler=sqlite \
    --sqlite-url="file:$DATA_DIR/" \
    --state-dir="$DATA_DIR" \
    --listen-addr="127.0.0.1:$PORT" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level="${FERRETDB_LOG_LEVEL:-error}" \
    >>"$LOG_FILE" 2>&1 </dev/null &
echo $! >"$PID_FILE"

# Bounded wait for a successful ping.
deadline=$((SECONDS + TIMEOUT))
until ping_server; do
    if ! running; then
        echo "start_ferretdb: ferretdb exited during startup; last log lines ($LOG_FILE):" >&2
        tail -n 30 "$LOG_FILE" >&2 || true
        rm -f "$PID_FILE"
        exit 1
    fi
    if (( SECONDS >= deadline )); then
        echo "start_ferretdb: no ping reply on 127.0.0.1:$PORT after ${TIMEOUT}s; last log lines ($LOG_FILE):" >&2
        tail -n 30 "$LOG_FILE" >&2 || true
        "$HERE/stop_ferretdb.sh" >/dev/null 2>&1 || true
        exit 1
    fi
    sleep 0.2
done
echo "start_ferretdb: running (pid $(cat "$PID_FILE")) at mongodb://127.0.0.1:$PORT/, data in $DATA_DIR"

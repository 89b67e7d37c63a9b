#!/usr/bin/env bash
# Stop the FerretDB started by start_ferretdb.sh (via its pid file). Idempotent.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PID_FILE="${FERRETDB_PID_FILE:-$ROOT/.local/ferretdb.pid}"

if [[ ! -f "$PID_FILE" ]]; then
    echo "stop_ferretdb: not running (no $PID_FILE)"
    exit 0
fi
pid="$(cat "$PID_FILE")"
# Only signal the pid if it still is ferretdb (guards against pid reuse).
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q ferretdb "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do   # up to 10 s for a clean shutdown
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "stop_ferretdb: pid $pid ignored SIGTERM, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stop_ferretdb: stopped (pid $pid)"
else
    echo "stop_ferretdb: stale pid file, nothing running"
fi
rm -f "$PID_FILE"

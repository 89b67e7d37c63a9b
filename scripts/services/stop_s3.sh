#!/usr/bin/env bash
# Stop the S3Proxy started by start_s3.sh (via its pid file). Idempotent. Its objects stay under .local/s3/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PID_FILE="${S3PROXY_PID_FILE:-$ROOT/.local/s3proxy.pid}"

if [[ ! -f "$PID_FILE" ]]; then
    echo "stop_s3: not running (no $PID_FILE)"
    exit 0
fi
pid="$(cat "$PID_FILE")"
# Only signal the pid if it still is our server (guards against pid reuse).
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q s3proxy "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do   # up to 10 s
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "stop_s3: pid $pid ignored SIGTERM, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stop_s3: stopped (pid $pid)"
else
    echo "stop_s3: stale pid file, nothing running"
fi
rm -f "$PID_FILE"

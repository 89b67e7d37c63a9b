#!/usr/bin/env bash
# Stop the mongo-java-server started by start_mongo_java_server.sh (via its pid file). Idempotent.
# SIGTERM runs the JVM shutdown hook, which closes the H2 store cleanly.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PID_FILE="${MONGO_JAVA_SERVER_PID_FILE:-$ROOT/.local/mongo-java-server.pid}"

if [[ ! -f "$PID_FILE" ]]; then
    echo "stop_mongo_java_server: not running (no $PID_FILE)"
    exit 0
fi
pid="$(cat "$PID_FILE")"
# Only signal the pid if it still is our server (guards against pid reuse).
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q mongo-java-server "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do   # up to 30 s: the H2 store is flushed on close
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "stop_mongo_java_server: pid $pid ignored SIGTERM, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stop_mongo_java_server: stopped (pid $pid)"
else
    echo "stop_mongo_java_server: stale pid file, nothing running"
fi
rm -f "$PID_FILE"

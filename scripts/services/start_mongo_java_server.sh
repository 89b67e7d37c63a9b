#!/usr/bin/env bash
# Start mongo-java-server (MongoDB wire protocol, H2 MVStore file backend) in the background on
# 127.0.0.1. Idempotent: does nothing if our instance is already running. Builds the jar if needed.
#
# Env: MONGO_JAVA_SERVER_PORT (27018), MONGO_JAVA_SERVER_DATA_DIR (.local/mongo-java-server),
#      MONGO_JAVA_SERVER_PID_FILE (.local/mongo-java-server.pid), MONGO_JAVA_SERVER_LOG_FILE
#      (.local/mongo-java-server.log), MONGO_JAVA_SERVER_START_TIMEOUT (60 s),
#      MONGO_JAVA_SERVER_JAVA_OPTS (-Xmx2g), MONGO_JAVA_SERVER_LOG_LEVEL (warn; info logs every
#      connection), MONGO_WIRE_VERSION (13; pymongo 4.x needs >= 9),
#      MONGO_JAVA_SERVER_STORE (file | memory; memory keeps nothing on disk: CI and throwaway runs).
# Connect with: mongodb://127.0.0.1:$MONGO_JAVA_SERVER_PORT/
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${MONGO_JAVA_SERVER_PORT:-27018}"
DATA_DIR="${MONGO_JAVA_SERVER_DATA_DIR:-$ROOT/.local/mongo-java-server}"
PID_FILE="${MONGO_JAVA_SERVER_PID_FILE:-$ROOT/.local/mongo-java-server.pid}"
LOG_FILE="${MONGO_JAVA_SERVER_LOG_FILE:-$ROOT/.local/mongo-java-server.log}"
TIMEOUT="${MONGO_JAVA_SERVER_START_TIMEOUT:-60}"
JAR="${MONGO_JAVA_SERVER_JAR:-$ROOT/.local/lib/mongo-java-server.jar}"
read -r -a JAVA_OPTS <<<"${MONGO_JAVA_SERVER_JAVA_OPTS:--Xmx2g}"

# Ping through the project's own driver (pymongo in .venv, installed by scripts/bootstrap.sh).
ping_server() {
    "$ROOT/.venv/bin/python" - "$PORT" 2>/dev/null <<'PY'
import sys
from pymongo import MongoClient
MongoClient(f"mongodb://127.0.0.1:{sys.argv[1]}/", serverSelectionTimeoutMS=1000).admin.command("ping")
PY
}

# Is the pid in the pid file a live java process running our jar?
running() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid; pid="$(cat "$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q mongo-java-server "/proc/$pid/cmdline" 2>/dev/null
}

if running; then
    if ping_server; then
        echo "start_mongo_java_server: already running (pid $(cat "$PID_FILE"), port $PORT)"
        exit 0
    fi
    # Ours is up but silent on $PORT: started with another MONGO_JAVA_SERVER_PORT, or hung.
    echo "start_mongo_java_server: pid $(cat "$PID_FILE") from $PID_FILE is running but does not answer on port $PORT; stop it first" >&2
    exit 1
fi
rm -f "$PID_FILE"   # stale

if ping_server; then
    echo "start_mongo_java_server: port $PORT already answers MongoDB pings but is not ours ($PID_FILE); stop it or set MONGO_JAVA_SERVER_PORT" >&2
    exit 1
fi

"$HERE/build_mongo_java_server.sh" >/dev/null   # no-op when up to date
mkdir -p "$DATA_DIR" "$(dirname "$PID_FILE")" "$(dirname "$LOG_FILE")"

# setsid: own session, so killing the caller's process group leaves the server running.
# (Without job control the child is no group leader, so setsid execs in place and $! is java.)
if [[ "${MONGO_JAVA_SERVER_STORE:-file}" == memory ]]; then
    store=(--memory)
else
    store=(--file "$DATA_DIR/mongo.mv")
fi
setsid java "${JAVA_OPTS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel="${MONGO_JAVA_SERVER_LOG_LEVEL:-warn}" -jar "$JAR" \
    --host 127.0.0.1 --port "$PORT" "${store[@]}" \
    >>"$LOG_FILE" 2>&1 </dev/null &
echo $! >"$PID_FILE"

# Bounded wait for a successful ping.
deadline=$((SECONDS + TIMEOUT))
until ping_server; do
    if ! running; then
        echo "start_mongo_java_server: server exited during startup; last log lines ($LOG_FILE):" >&2
        tail -n 30 "$LOG_FILE" >&2 || true
        rm -f "$PID_FILE"
        exit 1
    fi
    if (( SECONDS >= deadline )); then
        echo "start_mongo_java_server: no ping reply on 127.0.0.1:$PORT after ${TIMEOUT}s; last log lines ($LOG_FILE):" >&2
        tail -n 30 "$LOG_FILE" >&2 || true
        "$HERE/stop_mongo_java_server.sh" >/dev/null 2>&1 || true
        exit 1
    fi
    sleep 0.2
done
echo "start_mongo_java_server: running (pid $(cat "$PID_FILE")) at mongodb://127.0.0.1:$PORT/, data in ${store[*]}"

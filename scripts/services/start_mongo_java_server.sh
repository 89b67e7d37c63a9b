#!/usr/bin/env bash
# Start mongo-java-server (MongoDB wire protocol; H2 file, H2 in-memory or plain in-memory store) in the background on
# 127.0.0.1. Idempotent: does nothing if our instance is already running. Builds the jar if needed.
#
# Env: MONGO_JAVA_SERVER_PORT (27018), MONGO_JAVA_SERVER_DATA_DIR (.local/mongo-java-server),
#      MONGO_JAVA_SERVER_PID_FILE (.local/mongo-java-server.pid), MONGO_JAVA_SERVER_LOG_FILE
#      (.local/mongo-java-server.log), MONGO_JAVA_SERVER_START_TIMEOUT (60 s),
#      MONGO_JAVA_SERVER_JAVA_OPTS (-Xmx6g), MONGO_JAVA_SERVER_LOG_LEVEL (warn; info logs every
#      connection), MONGO_WIRE_VERSION (13; pymongo 4.x needs >= 9),
#      MONGO_JAVA_SERVER_STORE (file: H2 file, survives restarts | memory: documents as Java objects, the
#      fastest, nothing on disk | h2-memory: H2 in memory; docs/mongodb-stand-in.md compares them).
# Connect with: mongodb://127.0.0.1:$MONGO_JAVA_SERVER_PORT/
# What it writes (store, pid file, log; the jar through build_mongo_java_server.sh) is owner-only: umask 077.
set -euo pipefail
umask 077

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PORT="${MONGO_JAVA_SERVER_PORT:-27018}"
DATA_DIR="${MONGO_JAVA_SERVER_DATA_DIR:-$ROOT/.local/mongo-java-server}"
PID_FILE="${MONGO_JAVA_SERVER_PID_FILE:-$ROOT/.local/mongo-java-server.pid}"
LOG_FILE="${MONGO_JAVA_SERVER_LOG_FILE:-$ROOT/.local/mongo-java-server.log}"
TIMEOUT="${MONGO_JAVA_SERVER_START_TIMEOUT:-60}"
JAR="${MONGO_JAVA_SERVER_JAR:-$ROOT/.local/lib/mongo-java-server.jar}"
read -r -a JAVA_OPTS <<<"${MONGO_JAVA_SERVER_JAVA_OPTS:--Xmx6g}"
# shellcheck source=daemon.sh
. "$HERE/daemon.sh"
daemon_init start_mongo_java_server "$PID_FILE" mongo-java-server "$LOG_FILE" "$HERE/stop_mongo_java_server.sh"
mkdir -p "$ROOT/.local" && chmod 700 "$ROOT/.local"
private "$DATA_DIR" "$PID_FILE" "$LOG_FILE" "$ROOT/.local/lib"   # left by earlier starts, before umask 077

# Ping through the project's own driver (pymongo in .venv, installed by scripts/bootstrap.sh).
ping_server() {
    "$ROOT/.venv/bin/python" - "$PORT" 2>/dev/null <<'PY'
import sys
from pymongo import MongoClient
MongoClient(f"mongodb://127.0.0.1:{sys.argv[1]}/", serverSelectionTimeoutMS=1000).admin.command("ping")
PY
}

if daemon_running; then
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

case "${MONGO_JAVA_SERVER_STORE:-memory}" in
    memory) store=(--store memory) ;;
    h2-memory) store=(--store h2-memory) ;;
    file) store=(--store h2-file --file "$DATA_DIR/mongo.mv") ;;
    *) echo "start_mongo_java_server: MONGO_JAVA_SERVER_STORE must be memory, h2-memory or file" >&2; exit 1 ;;
esac
daemon_launch java "${JAVA_OPTS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel="${MONGO_JAVA_SERVER_LOG_LEVEL:-warn}" \
    -jar "$JAR" --host 127.0.0.1 --port "$PORT" "${store[@]}"

# Bounded wait for a successful ping.
daemon_wait "$TIMEOUT" 0.2 server "ping reply on 127.0.0.1:$PORT" ping_server
echo "start_mongo_java_server: running (pid $(daemon_pid)) at mongodb://127.0.0.1:$PORT/, data in ${store[*]}"

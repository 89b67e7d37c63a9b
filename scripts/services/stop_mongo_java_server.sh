#!/usr/bin/env bash
# Stop the mongo-java-server started by start_mongo_java_server.sh (via its pid file). Idempotent.
# SIGTERM runs the JVM shutdown hook, which closes the H2 store cleanly (up to 30 s).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec bash "$ROOT/scripts/services/stop_pid.sh" stop_mongo_java_server \
    "${MONGO_JAVA_SERVER_PID_FILE:-$ROOT/.local/mongo-java-server.pid}" mongo-java-server 30

#!/usr/bin/env bash
# Stop the podman API service started by start_docker_api.sh (only that process, by its pid file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pid_file="$root/.local/podman-service.pid"
if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
  pid="$(cat "$pid_file")"
  kill "$pid"
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  echo "stop_docker_api: stopped podman service (pid $pid)"
else
  echo "stop_docker_api: not running"
fi
rm -f "$pid_file"

#!/usr/bin/env bash
# A Docker-compatible API on rootful podman, for the docker CLI, the Python docker SDK and Prefect's Docker
# worker (run as root, after setup_podman.sh). Idempotent: reuses a running service.
#   podman system service --time=0 unix:///run/podman/podman.sock   (pid in .local/podman-service.pid)
# Prints DOCKER_HOST=unix:///run/podman/podman.sock (eval "$(bash scripts/container/start_docker_api.sh)").
# Containers must use the host network here (network_mode="host"); host-gateway is not supported.
# Daemon logic shared with the local services: scripts/services/daemon.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sock=/run/podman/podman.sock
# shellcheck source=scripts/services/daemon.sh
. "$root/scripts/services/daemon.sh"
daemon_init start_docker_api "$root/.local/podman-service.pid" "system" "$root/.local/podman-service.log" \
    "$root/scripts/container/stop_docker_api.sh"
mkdir -p "$root/.local" /run/podman

ping() { curl --silent --max-time 2 --unix-socket "$sock" http://d/_ping 2>/dev/null | grep -qx OK; }

if daemon_running && ping; then
  echo "start_docker_api: podman service already running (pid $(daemon_pid))" >&2
elif ping; then
  echo "start_docker_api: $sock already answers (a service not started by this script)" >&2
else
  daemon_launch podman system service --time=0 "unix://$sock"
  daemon_wait 30 0.5 "podman service" "answer on $sock" ping
  echo "start_docker_api: podman service started (pid $(daemon_pid), log $DAEMON_LOG_FILE)" >&2
fi
echo "DOCKER_HOST=unix://$sock"

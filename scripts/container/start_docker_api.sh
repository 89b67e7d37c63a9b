#!/usr/bin/env bash
# A Docker-compatible API on rootful podman, for the docker CLI, the Python docker SDK and Prefect's Docker
# worker (run as root, after setup_podman.sh). Idempotent: reuses a running service.
#   podman system service --time=0 unix:///run/podman/podman.sock   (pid in .local/podman-service.pid)
# Prints DOCKER_HOST=unix:///run/podman/podman.sock (eval "$(bash scripts/container/start_docker_api.sh)").
# Containers must use the host network here (network_mode="host"); host-gateway is not supported.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sock=/run/podman/podman.sock
pid_file="$root/.local/podman-service.pid"
log_file="$root/.local/podman-service.log"
mkdir -p "$root/.local" /run/podman

ping() { curl --silent --max-time 2 --unix-socket "$sock" http://d/_ping 2>/dev/null | grep -qx OK; }

if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null && ping; then
  echo "start_docker_api: podman service already running (pid $(cat "$pid_file"))" >&2
else
  if ping; then
    echo "start_docker_api: $sock already answers (a service not started by this script)" >&2
  else
    # Its own session, so it outlives the calling shell; stopped by stop_docker_api.sh.
    setsid podman system service --time=0 "unix://$sock" </dev/null >>"$log_file" 2>&1 &
    echo $! >"$pid_file"
    for _ in $(seq 1 60); do
      ping && break
      kill -0 "$(cat "$pid_file")" 2>/dev/null || { tail -n 20 "$log_file" >&2; exit 1; }
      sleep 0.5
    done
    ping || { echo "start_docker_api: no answer on $sock after 30 s" >&2; exit 1; }
    echo "start_docker_api: podman service started (pid $(cat "$pid_file"), log $log_file)" >&2
  fi
fi
echo "DOCKER_HOST=unix://$sock"

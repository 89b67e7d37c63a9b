#!/usr/bin/env bash
# Stop the podman API service started by start_docker_api.sh (only that process, by its pid file). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec bash "$root/scripts/services/stop_pid.sh" stop_docker_api "$root/.local/podman-service.pid" "system" 10

#!/usr/bin/env bash
# Stop the Prefect server started by start_prefect.sh (via its pid file). Idempotent. Its database, auth string
# and client settings stay under .local/ (prefect/, prefect.auth, prefect.env), so a restart keeps the runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec bash "$ROOT/scripts/services/stop_pid.sh" stop_prefect "$ROOT/.local/prefect-server.pid" bin/prefect 20

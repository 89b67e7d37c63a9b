#!/usr/bin/env bash
# Stop the S3Proxy started by start_s3.sh (via its pid file). Idempotent. Its objects stay under .local/s3/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec bash "$ROOT/scripts/services/stop_pid.sh" stop_s3 "${S3PROXY_PID_FILE:-$ROOT/.local/s3proxy.pid}" s3proxy 10

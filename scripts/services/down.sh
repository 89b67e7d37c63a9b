#!/usr/bin/env bash
# Stop the local services started by up.sh (their data is kept under .local/ and /var/lib/postgresql).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/stop_prefect.sh" || true
bash "$here/stop_s3.sh" || true
bash "$here/stop_mongo_java_server.sh" || true
bash "$here/stop_postgres.sh" || true

#!/usr/bin/env bash
# Stop the local PostgreSQL cluster started by start_postgres.sh (data is kept).
set -euo pipefail
version="${SICOOP_LOCAL_PG_VERSION:-15}"
cluster="${SICOOP_LOCAL_PG_CLUSTER:-sicoop}"
if pg_lsclusters -h 2>/dev/null | awk -v c="$cluster" '$2==c {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" "$cluster" stop
fi

#!/usr/bin/env bash
# Start the local services a run or the tests need, unless the environment points at real ones:
#   SICOOP_POSTGRES_DSN unset -> local PostgreSQL (Debian postgresql-15, cluster "sicoop" on 127.0.0.1:54329)
#   SICOOP_MONGO_URI unset    -> local mongo-java-server (MongoDB wire protocol, H2 file backend, 127.0.0.1:27018)
#   SICOOP_S3_ENDPOINT unset  -> local S3Proxy (S3 API, filesystem backend under .local/s3, 127.0.0.1:9000);
#                                SICOOP_LOCAL_S3=0 skips it (real AWS S3 through the default credential chain)
#   PREFECT_API_URL unset     -> local Prefect server (127.0.0.1:4200, API auth on; .local/prefect.env for clients);
#                                SICOOP_LOCAL_PREFECT=0 skips it (then a run without PREFECT_API_URL uses a
#                                temporary server of its own)
# Writes their connection settings to .local/services.env, which tasks/settings.py reads
# (real environment variables always win over it). .local/ is owner-only (mode 700), and so is every file the
# start scripts write there (each sets umask 077 itself: not here, where apt-get may install PostgreSQL).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mkdir -p "$root/.local"
chmod 700 "$root/.local"
env_file="$root/.local/services.env"
staged="$(mktemp "$root/.local/services.env.XXXXXX")"
trap 'rm -f "$staged"' EXIT
chmod 600 "$staged"

if [ -z "${SICOOP_POSTGRES_DSN:-}" ]; then
  bash "$here/start_postgres.sh"
  cat "$root/.local/postgres.env" >>"$staged"
else
  echo "SICOOP_POSTGRES_DSN is set: not starting a local PostgreSQL"
fi

if [ -z "${SICOOP_MONGO_URI:-}" ]; then
  port="${MONGO_JAVA_SERVER_PORT:-27018}"
  MONGO_JAVA_SERVER_PORT="$port" bash "$here/start_mongo_java_server.sh"
  echo "SICOOP_MONGO_URI=mongodb://127.0.0.1:${port}/" >>"$staged"
else
  echo "SICOOP_MONGO_URI is set: not starting a local MongoDB-wire server"
fi

if [ -z "${SICOOP_S3_ENDPOINT:-}" ] && [ "${SICOOP_LOCAL_S3:-1}" != 0 ]; then
  bash "$here/start_s3.sh"
  cat "$root/.local/s3.env" >>"$staged"
else
  echo "SICOOP_S3_ENDPOINT or SICOOP_LOCAL_S3=0 is set: not starting a local S3 server"
fi

if [ -z "${PREFECT_API_URL:-}" ] && [ "${SICOOP_LOCAL_PREFECT:-1}" != 0 ]; then
  bash "$here/start_prefect.sh"
else
  echo "PREFECT_API_URL or SICOOP_LOCAL_PREFECT=0 is set: not starting a local Prefect server"
fi

mv "$staged" "$env_file"
trap - EXIT

#!/usr/bin/env bash
# Start the local PostgreSQL used by local runs and tests (Debian's postgresql-15, a dedicated cluster).
# Idempotent: installs the server if missing (root), creates the cluster, role and database once, then starts it.
# Writes the DSN (with a random password kept in .local/, never committed) to .local/postgres.env.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$root/.local"
version="${SICOOP_LOCAL_PG_VERSION:-15}"
cluster="${SICOOP_LOCAL_PG_CLUSTER:-sicoop}"
port="${SICOOP_LOCAL_PG_PORT:-54329}"
mkdir -p "$state"
chmod 700 "$state"   # .local/ holds the services' secrets: owner-only

if [ ! -x "/usr/lib/postgresql/$version/bin/postgres" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL $version is not installed and this is not root: install postgresql-$version" >&2
    exit 1
  fi
  echo "installing postgresql-$version from Debian..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "postgresql-$version" postgresql-client-common >/dev/null
fi

if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$version/$cluster"; then
  pg_createcluster "$version" "$cluster" -p "$port" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi
if ! pg_lsclusters -h | awk -v c="$cluster" '$2==c {print $4}' | grep -qx online; then
  pg_ctlcluster "$version" "$cluster" start
fi

password_file="$state/postgres.password"
if [ ! -s "$password_file" ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$password_file")
fi
password="$(cat "$password_file")"

as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
as_postgres -d postgres -v pw="$password" <<'SQL'
SELECT 'CREATE ROLE sicoop LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sicoop') \gexec
ALTER ROLE sicoop LOGIN PASSWORD :'pw';
SELECT 'CREATE DATABASE sicoop OWNER sicoop' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sicoop') \gexec
SELECT 'CREATE DATABASE sicoop_test OWNER sicoop' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sicoop_test') \gexec
SELECT 'CREATE DATABASE sicoop_bench OWNER sicoop' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sicoop_bench') \gexec
SQL

# The tests and the benchmarks use their own databases, so they never touch the data of local runs.
(umask 077 && printf 'SICOOP_POSTGRES_DSN=%s\nSICOOP_TEST_POSTGRES_DSN=%s\nSICOOP_BENCH_POSTGRES_DSN=%s\n' \
  "postgresql://sicoop:${password}@127.0.0.1:${port}/sicoop" \
  "postgresql://sicoop:${password}@127.0.0.1:${port}/sicoop_test" \
  "postgresql://sicoop:${password}@127.0.0.1:${port}/sicoop_bench" >"$state/postgres.env")
echo "PostgreSQL $version cluster '$cluster' is up on 127.0.0.1:$port"

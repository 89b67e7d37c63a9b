#!/usr/bin/env bash
# Install everything the project needs into the project itself, on a fresh Debian 12 machine:
# uv (if missing), the locked Python environment (.venv), and the Spark/Delta/JDBC/connector jars (.cache/jars).
# System packages (Java 17, Maven, PostgreSQL) are checked, and installed with apt-get when running as root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need_apt[*]} (install them, or run as root)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v uv >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "uv>=0.5"
fi
uv sync --frozen --quiet

# Resolve the jars once (Maven Central via Spark's Ivy); later runs use the cached files offline.
if ! uv run --frozen python -c 'import sys; from tasks.settings import get_settings; from tasks.spark_session import cached_jars; sys.exit(cached_jars(get_settings().jars_dir.resolve()) is None)'; then
  uv run --frozen python -m tasks.spark_session >/dev/null
fi
echo "bootstrap: environment ready (.venv, .cache/jars)"

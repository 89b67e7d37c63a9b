#!/usr/bin/env bash
# Stop the Spark standalone cluster started by start_cluster.sh (workers, then the master). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SPARK_HOME="${SPARK_HOME:-$("$root/.venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
state="${SPARK_CLUSTER_DIR:-$root/.local/spark-cluster}"
export SPARK_LOG_DIR="$state/logs" SPARK_PID_DIR="$state/pids"
daemon="$SPARK_HOME/sbin/spark-daemon.sh"
for number in $(seq 1 "${SPARK_WORKERS:-2}"); do
  "$daemon" stop org.apache.spark.deploy.worker.Worker "$number" >/dev/null 2>&1 || true
done
"$daemon" stop org.apache.spark.deploy.master.Master 1 >/dev/null 2>&1 || true
echo "stop_cluster: stopped"

#!/usr/bin/env bash
# Start a Spark standalone cluster on this machine with pyspark's own daemon script (sbin/spark-daemon.sh): one
# master and SPARK_WORKERS workers (default 2), each worker's executors in their own JVMs. Idempotent.
# Point the pipeline at it with SICOOP_SPARK_MASTER=spark://127.0.0.1:$SPARK_MASTER_PORT.
#
# Env: SPARK_MASTER_PORT (7077), SPARK_WORKERS (2), SPARK_WORKER_CORES (1), SPARK_WORKER_MEMORY (2g),
#      SPARK_CLUSTER_DIR (.local/spark-cluster: logs, pids, work folders).
set -euo pipefail
umask 077

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="$root/.venv/bin/python"
export SPARK_HOME="${SPARK_HOME:-$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"
port="${SPARK_MASTER_PORT:-7077}"
workers="${SPARK_WORKERS:-2}"
state="${SPARK_CLUSTER_DIR:-$root/.local/spark-cluster}"
export SPARK_LOG_DIR="$state/logs" SPARK_PID_DIR="$state/pids" SPARK_WORKER_DIR="$state/work"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1
unset SPARK_NO_DAEMONIZE  # spark-daemon.sh backgrounds the JVMs itself only when it is unset
export PYSPARK_PYTHON="$python"
mkdir -p "$SPARK_LOG_DIR" "$SPARK_PID_DIR" "$SPARK_WORKER_DIR"
daemon="$SPARK_HOME/sbin/spark-daemon.sh"
master="spark://127.0.0.1:$port"

if ! "$daemon" status org.apache.spark.deploy.master.Master 1 >/dev/null 2>&1; then
  "$daemon" start org.apache.spark.deploy.master.Master 1 --host 127.0.0.1 --port "$port" --webui-port 0 >/dev/null
fi
for number in $(seq 1 "$workers"); do
  if ! "$daemon" status org.apache.spark.deploy.worker.Worker "$number" >/dev/null 2>&1; then
    "$daemon" start org.apache.spark.deploy.worker.Worker "$number" --host 127.0.0.1 --webui-port 0 \
      --cores "${SPARK_WORKER_CORES:-1}" --memory "${SPARK_WORKER_MEMORY:-2g}" "$master" >/dev/null
  fi
done

# Ready when the master's log shows every worker registered.
deadline=$((SECONDS + ${SPARK_CLUSTER_START_TIMEOUT:-90}))
until [ "$(grep -c "Registering worker" "$SPARK_LOG_DIR"/*Master*.out 2>/dev/null || true)" -ge "$workers" ]; do
  if (( SECONDS >= deadline )); then
    echo "start_cluster: $workers workers did not register with $master; logs in $SPARK_LOG_DIR" >&2
    exit 1
  fi
  sleep 0.5
done
echo "start_cluster: $master with $workers workers (logs in $SPARK_LOG_DIR)"

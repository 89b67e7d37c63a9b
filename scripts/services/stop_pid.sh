#!/usr/bin/env bash
# Stop a background server by its pid file: SIGTERM, wait, then SIGKILL. Idempotent.
#   stop_pid.sh NAME PID_FILE CMDLINE_PATTERN TIMEOUT_SECONDS
# The pid is signalled only while its command line still matches the pattern (guards against pid reuse).
set -euo pipefail
name="$1" pid_file="$2" pattern="$3" timeout="$4"

if [[ ! -f "$pid_file" ]]; then
    echo "$name: not running (no $pid_file)"
    exit 0
fi
pid="$(cat "$pid_file")"
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "$pattern" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 $((timeout * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$name: pid $pid ignored SIGTERM, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "$name: stopped (pid $pid)"
else
    echo "$name: stale pid file, nothing running"
fi
rm -f "$pid_file"

#!/usr/bin/env bash
# Shared daemon logic of the local services' start scripts (mongo-java-server, S3Proxy, the Prefect server),
# sourced by them, never run: one way to tell whether our server is running, to launch it detached with a
# pid file and a log, to wait a bounded time for it to answer, and to keep .local/ owner-only (it holds the
# services' passwords, keys and data). Stopping is stop_pid.sh, which the stop_*.sh scripts call.
#
#   daemon_init NAME PID_FILE PATTERN LOG_FILE STOP_SCRIPT   the server the functions below act on
#                                              (PATTERN: a string of its command line, against pid reuse)
#   daemon_running                             the pid in PID_FILE is alive and its command line has PATTERN
#   daemon_pid                                 prints that pid
#   daemon_launch CMD...                       runs CMD in its own session, output appended to LOG_FILE,
#                                              its pid written to PID_FILE
#   daemon_wait TIMEOUT INTERVAL WHAT NO_REPLY READY_CMD...
#                                              polls READY_CMD every INTERVAL s until it succeeds; if the server
#                                              exits, or after TIMEOUT s (then it is stopped), prints why and the
#                                              last log lines and exits 1
#   port_open PORT                             something accepts connections on 127.0.0.1:PORT
#   private PATH...                            owner-only access (go-rwx, recursive) to the PATHs that exist
set -euo pipefail

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    echo "daemon.sh is sourced by the start scripts, not run" >&2
    exit 1
fi

daemon_init() {
    DAEMON_NAME="$1" DAEMON_PID_FILE="$2" DAEMON_PATTERN="$3" DAEMON_LOG_FILE="$4" DAEMON_STOP="$5"
}

daemon_pid() { cat "$DAEMON_PID_FILE"; }

daemon_running() {
    [[ -f "$DAEMON_PID_FILE" ]] || return 1
    local pid; pid="$(cat "$DAEMON_PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q "$DAEMON_PATTERN" "/proc/$pid/cmdline" 2>/dev/null
}

daemon_launch() {
    mkdir -p "$(dirname "$DAEMON_PID_FILE")" "$(dirname "$DAEMON_LOG_FILE")"
    # setsid: own session, so killing the caller's process group leaves the server running.
    # (Without job control the child is no group leader, so setsid execs in place and $! is the server.)
    setsid "$@" >>"$DAEMON_LOG_FILE" 2>&1 </dev/null &
    echo $! >"$DAEMON_PID_FILE"
}

daemon_wait() {
    local timeout="$1" interval="$2" what="$3" no_reply="$4"
    shift 4
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        if ! daemon_running; then
            echo "$DAEMON_NAME: $what exited during startup; last log lines ($DAEMON_LOG_FILE):" >&2
            tail -n 30 "$DAEMON_LOG_FILE" >&2 || true
            rm -f "$DAEMON_PID_FILE"
            exit 1
        fi
        if (( SECONDS >= deadline )); then
            echo "$DAEMON_NAME: no $no_reply after ${timeout}s; last log lines ($DAEMON_LOG_FILE):" >&2
            tail -n 30 "$DAEMON_LOG_FILE" >&2 || true
            bash "$DAEMON_STOP" >/dev/null 2>&1 || true
            exit 1
        fi
        sleep "$interval"
    done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

private() {
    local path
    for path in "$@"; do
        if [[ -e "$path" ]]; then
            chmod -R go-rwx "$path"
        fi
    done
}

#!/usr/bin/env bash
# Start S3Proxy (an S3-compatible HTTP server, Maven Central org.gaul:s3proxy) in the background on
# 127.0.0.1, with the filesystem backend under .local/s3/. Idempotent: does nothing if our instance is already
# running. Downloads the jar once into .cache/s3proxy/ (sha1 checked against the pinned value / Maven Central).
#
# Requests must be signed (AWS signature v2 or v4) with a random access key and secret generated on first start
# and kept in .local/s3.credentials (mode 600, never in the repository). Creates the buckets $S3_BUCKETS, then
# writes the connection settings to .local/s3.env (read by up.sh into .local/services.env):
#   SICOOP_S3_ENDPOINT, SICOOP_S3_ACCESS_KEY_ID, SICOOP_S3_SECRET_ACCESS_KEY, SICOOP_S3_REGION,
#   SICOOP_TEST_S3_BUCKET (the bucket the tests use, each test under its own prefix).
#
# Env: S3PROXY_VERSION (4.1.0), S3PROXY_PORT (9000), S3PROXY_BACKEND (filesystem | transient; transient keeps
#      everything in memory), S3PROXY_DATA_DIR (.local/s3), S3PROXY_PID_FILE (.local/s3proxy.pid),
#      S3PROXY_LOG_FILE (.local/s3proxy.log), S3PROXY_ENV_FILE (.local/s3.env), S3PROXY_START_TIMEOUT (60 s),
#      S3PROXY_JAVA_OPTS (-Xmx512m), S3PROXY_LOG_LEVEL (warn),
#      S3_BUCKETS ("sicooperative sicooperative-test"; the last one is the tests' bucket), S3_REGION (us-east-1).
# What it writes under .local/ (objects, keys, properties, pid, log) is owner-only: umask 077.
set -euo pipefail
umask 077

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION="${S3PROXY_VERSION:-4.1.0}"
PORT="${S3PROXY_PORT:-9000}"
BACKEND="${S3PROXY_BACKEND:-filesystem}"
DATA_DIR="${S3PROXY_DATA_DIR:-$ROOT/.local/s3}"
PID_FILE="${S3PROXY_PID_FILE:-$ROOT/.local/s3proxy.pid}"
LOG_FILE="${S3PROXY_LOG_FILE:-$ROOT/.local/s3proxy.log}"
TIMEOUT="${S3PROXY_START_TIMEOUT:-60}"
read -r -a JAVA_OPTS <<<"${S3PROXY_JAVA_OPTS:--Xmx512m}"
read -r -a BUCKETS <<<"${S3_BUCKETS:-sicooperative sicooperative-test}"
REGION="${S3_REGION:-us-east-1}"
STATE="$ROOT/.local"
CREDENTIALS="$STATE/s3.credentials"
PROPERTIES="${PID_FILE%.pid}.properties"
ENV_OUT="${S3PROXY_ENV_FILE:-$STATE/s3.env}"
ENDPOINT="http://127.0.0.1:$PORT"
JAR_DIR="$ROOT/.cache/s3proxy"
JAR="$JAR_DIR/s3proxy-$VERSION-jar-with-dependencies.jar"
URL="https://repo1.maven.org/maven2/org/gaul/s3proxy/$VERSION/s3proxy-$VERSION-jar-with-dependencies.jar"
declare -A PINNED_SHA1=([4.1.0]=0a0b89e982bc1b1b5757d45b61109e05a840dd87)
# shellcheck source=daemon.sh
. "$HERE/daemon.sh"
daemon_init start_s3 "$PID_FILE" s3proxy "$LOG_FILE" "$HERE/stop_s3.sh"

case "$BACKEND" in
    filesystem | transient) ;;
    *) echo "start_s3: S3PROXY_BACKEND must be filesystem or transient, not '$BACKEND'" >&2; exit 1 ;;
esac
if [[ ! -x "$ROOT/.venv/bin/python" ]]; then
    echo "start_s3: $ROOT/.venv is missing: run 'make install' first (pyarrow signs the readiness check)" >&2
    exit 1
fi
mkdir -p "$STATE" "$(dirname "$PID_FILE")" "$(dirname "$LOG_FILE")"
chmod 700 "$STATE"
private "$DATA_DIR" "$CREDENTIALS" "$PROPERTIES" "$ENV_OUT" "$PID_FILE" "$LOG_FILE"   # left by earlier starts
(umask 022 && mkdir -p "$JAR_DIR")   # the download cache is not secret

# Credentials: generated once (AWS-shaped: 20-character key id, 40-character secret), reused afterwards.
if [[ ! -s "$CREDENTIALS" ]]; then
    (umask 077 && python3 - >"$CREDENTIALS" <<'PY'
import secrets, string
alphabet = string.ascii_uppercase + string.digits
print("S3_ACCESS_KEY_ID=AKSI" + "".join(secrets.choice(alphabet) for _ in range(16)))
print("S3_SECRET_ACCESS_KEY=" + secrets.token_urlsafe(30)[:40])
PY
    )
fi
ACCESS_KEY="$(sed -n 's/^S3_ACCESS_KEY_ID=//p' "$CREDENTIALS")"
SECRET_KEY="$(sed -n 's/^S3_SECRET_ACCESS_KEY=//p' "$CREDENTIALS")"
if [[ -z "$ACCESS_KEY" || -z "$SECRET_KEY" ]]; then
    echo "start_s3: $CREDENTIALS is malformed; delete it to generate new credentials" >&2
    exit 1
fi

# Signed request through pyarrow (the project's own S3 client): 0 when the server answers with our credentials.
# With "create", also creates the missing buckets.
s3_call() {
    S3_ACCESS_KEY_ID="$ACCESS_KEY" S3_SECRET_ACCESS_KEY="$SECRET_KEY" AWS_EC2_METADATA_DISABLED=true \
        "$ROOT/.venv/bin/python" - "$PORT" "$REGION" "$@" 2>/dev/null <<'PY'
import os, sys
from pyarrow import fs
port, region, *rest = sys.argv[1:]
s3 = fs.S3FileSystem(
    access_key=os.environ["S3_ACCESS_KEY_ID"], secret_key=os.environ["S3_SECRET_ACCESS_KEY"],
    endpoint_override=f"127.0.0.1:{port}", scheme="http", region=region,
    connect_timeout=1, request_timeout=5, allow_bucket_creation=True,
)
existing = {info.path for info in s3.get_file_info(fs.FileSelector("/"))}
if rest and rest[0] == "create":
    for bucket in rest[1:]:
        if bucket not in existing:
            s3.create_dir(bucket)
PY
}

# Ready: the port is open and a signed request succeeds (creating the missing buckets).
s3_ready() { port_open "$PORT" && s3_call create "${BUCKETS[@]}"; }

write_env() {
    (umask 077 && printf '%s\n' \
        "SICOOP_S3_ENDPOINT=$ENDPOINT" \
        "SICOOP_S3_ACCESS_KEY_ID=$ACCESS_KEY" \
        "SICOOP_S3_SECRET_ACCESS_KEY=$SECRET_KEY" \
        "SICOOP_S3_REGION=$REGION" \
        "SICOOP_TEST_S3_BUCKET=${BUCKETS[-1]}" >"$ENV_OUT")
}

if daemon_running; then
    if s3_call create "${BUCKETS[@]}"; then
        write_env
        echo "start_s3: already running (pid $(cat "$PID_FILE")) at $ENDPOINT"
        exit 0
    fi
    echo "start_s3: pid $(cat "$PID_FILE") from $PID_FILE is running but does not answer signed requests on port $PORT; stop it first (stop_s3.sh)" >&2
    exit 1
fi
rm -f "$PID_FILE"   # stale

if port_open "$PORT"; then
    echo "start_s3: 127.0.0.1:$PORT is already in use by another process; stop it or set S3PROXY_PORT" >&2
    exit 1
fi

# Download once, verified against the pinned sha1 (or, for another version, Maven Central's .sha1).
if [[ ! -s "$JAR" ]]; then
    expected="${PINNED_SHA1[$VERSION]:-}"
    if [[ -z "$expected" ]]; then
        expected="$(curl -fsSL "$URL.sha1" | cut -c1-40)"
    fi
    partial="$(mktemp "$JAR_DIR/.download.XXXXXX")"
    trap 'rm -f "$partial"' EXIT
    echo "start_s3: downloading s3proxy $VERSION from Maven Central..."
    curl -fsSL --retry 3 -o "$partial" "$URL"
    actual="$(sha1sum "$partial" | cut -d' ' -f1)"
    if [[ "$actual" != "$expected" ]]; then
        echo "start_s3: sha1 mismatch for $URL: expected $expected, got $actual" >&2
        exit 1
    fi
    chmod 644 "$partial"
    mv "$partial" "$JAR"
    trap - EXIT
fi

# The properties file holds the secret: private to root, under .local/.
mkdir -p "$DATA_DIR"
(umask 077 && cat >"$PROPERTIES" <<EOF
s3proxy.endpoint=$ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$ACCESS_KEY
s3proxy.credential=$SECRET_KEY
jclouds.provider=$BACKEND
jclouds.identity=$ACCESS_KEY
jclouds.credential=$SECRET_KEY
jclouds.filesystem.basedir=$DATA_DIR
jclouds.regions=$REGION
EOF
)

daemon_launch java "${JAVA_OPTS[@]}" -DLOG_LEVEL="${S3PROXY_LOG_LEVEL:-warn}" -jar "$JAR" --properties "$PROPERTIES"
daemon_wait "$TIMEOUT" 0.3 s3proxy "signed reply on $ENDPOINT" s3_ready
write_env
store="in $DATA_DIR"
[[ "$BACKEND" == transient ]] && store="in memory"
echo "start_s3: s3proxy $VERSION running (pid $(cat "$PID_FILE")) at $ENDPOINT, $BACKEND backend $store, buckets: ${BUCKETS[*]}"

#!/usr/bin/env bash
# Install everything the project needs into the project itself, on a fresh Debian 12 machine:
#   [1/4] system packages (Java 17, Maven, python3, CA certificates): checked, installed with apt-get as root;
#   [2/4] uv at the version the Dockerfile pins (ARG UV_VERSION): the one on PATH if it is that version, else
#         installed as .local/bin/uv from the package index (the wheel's sha256 checked), never with the system
#         pip, so it works where `pip install` is blocked (PEP 668) or pip is absent;
#   [3/4] the locked Python environment (.venv, `uv sync --frozen`);
#   [4/4] the Spark/Delta/JDBC/connector jars (.cache/jars), resolved once by Spark's Ivy from Maven Central.
# One progress line per step; the output of the noisy steps goes to .local/logs/bootstrap-*.log, shown (last
# lines) only when a step fails. Idempotent: a second run finds everything in place and downloads nothing.
# The package index is UV_DEFAULT_INDEX, else PIP_INDEX_URL, else PyPI (https://pypi.org/simple).
# Sourcing the file defines its functions without running it (tests/unit/test_bootstrap.py).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_bin="$root/.local/bin"
logs_dir="$root/.local/logs"

say() { echo "bootstrap: $*"; }

# new_log NAME: an empty, private log file .local/logs/bootstrap-NAME.log; prints its path.
new_log() {
  local log="$logs_dir/bootstrap-$1.log"
  (umask 077 && mkdir -p "$logs_dir" && : >"$log") && chmod 600 "$log" && printf '%s\n' "$log"
}

# show_failure LOG WHAT: the log's path and last lines, on stderr.
show_failure() {
  echo "bootstrap: $2 failed; last lines of $1:" >&2
  tail -n 20 "$1" | sed 's/^/  /' >&2
}

# The uv version the Dockerfile pins (its `ARG UV_VERSION=` line): the single source of truth.
uv_pinned() {
  local version
  version="$(sed -n 's/^ARG UV_VERSION=\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$root/Dockerfile" | head -n 1)"
  if [ -z "$version" ]; then
    echo "bootstrap: no 'ARG UV_VERSION=X.Y.Z' line in $root/Dockerfile" >&2
    return 1
  fi
  printf '%s\n' "$version"
}

# uv_version BINARY: the version a uv binary reports (empty if it does not run).
uv_version() {
  { "$1" --version 2>/dev/null || true; } | awk 'NR == 1 { print $2 }'
}

# Python (standard library only) that downloads the uv wheel of one version for this machine from a PEP 691
# (JSON) or PEP 503 (HTML) simple index, checks its sha256 against the index, and extracts its `uv` binary.
# Arguments: VERSION INDEX_URL OUTPUT. Exit 3: integrity failure (no hash, hash mismatch, no binary in the wheel).
read -r -d '' fetch_uv_py <<'PY' || true
import hashlib, json, os, platform, re, sys, tempfile, urllib.parse, urllib.request, zipfile
from html.parser import HTMLParser

version, index, output = sys.argv[1:4]


def fail(code, message):
    print(f"fetch-uv: {message}", file=sys.stderr)
    sys.exit(code)


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._href = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href is not None and data.strip():
            self.links.append((data.strip(), self._href))
            self._href = None


page = index.rstrip("/") + "/uv/"
request = urllib.request.Request(page, headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"})
try:
    with urllib.request.urlopen(request, timeout=60) as response:
        kind, body, page = response.headers.get_content_type(), response.read(), response.geturl()
except OSError as error:
    fail(1, f"cannot read {page}: {error}")
files = {}  # file name -> (URL, sha256 or None)
if kind.endswith("json"):
    for item in json.loads(body)["files"]:
        files[item["filename"]] = (urllib.parse.urljoin(page, item["url"]), item.get("hashes", {}).get("sha256"))
else:
    parser = Links()
    parser.feed(body.decode("utf-8", "replace"))
    for name, href in parser.links:
        url, _, fragment = urllib.parse.urljoin(page, href).partition("#")
        files[name] = (url, fragment[len("sha256="):] if fragment.startswith("sha256=") else None)

machine = platform.machine().lower()
machine = {"amd64": "x86_64", "arm64": "aarch64", "i386": "i686"}.get(machine, machine)
libc, libc_version = platform.libc_ver()
glibc = tuple(int(part) for part in libc_version.split(".")[:2]) if libc == "glibc" else None
legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def compatible(tag):
    if not tag.endswith("_" + machine):
        return False
    policy = tag[: -len(machine) - 1]
    match = re.fullmatch(r"(many|musl)linux_(\d+)_(\d+)", policy)
    if glibc is not None:
        if policy in legacy:
            return legacy[policy] <= glibc
        return bool(match) and match[1] == "many" and (int(match[2]), int(match[3])) <= glibc
    return bool(match) and match[1] == "musl"


prefix = f"uv-{version}-"
wheels = sorted(
    name for name in files
    if name.startswith(prefix) and name.endswith(".whl")
    and any(compatible(tag) for tag in name[:-4].split("-")[-1].split("."))
)
if not wheels:
    fail(1, f"no uv {version} wheel for {machine} ({libc or 'unknown libc'}) at {page}")
name = wheels[0]
url, expected = files[name]
if not expected:
    fail(3, f"{page} gives no sha256 for {name}")
print(f"fetch-uv: {name} from {url}")
digest = hashlib.sha256()
with tempfile.TemporaryFile() as wheel:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                wheel.write(chunk)
    except OSError as error:
        fail(1, f"cannot download {url}: {error}")
    if digest.hexdigest() != expected.lower():
        fail(3, f"sha256 of {name} is {digest.hexdigest()}, the index says {expected}")
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if re.fullmatch(r"[^/]+\.data/scripts/uv", m)]
        if not members:
            fail(3, f"{name} has no .data/scripts/uv")
        with archive.open(members[0]) as source, open(output, "wb") as target:
            while chunk := source.read(1 << 20):
                target.write(chunk)
os.chmod(output, 0o755)
print(f"fetch-uv: sha256 {expected} verified, {output} written")
PY

# make_venv DIR: a throwaway virtual environment with pip (python3-venv installed first when root needs it).
make_venv() {
  python3 -m venv --clear "$1" && return 0
  [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null || return 1
  echo "python3 -m venv failed: installing python3-venv (ensurepip)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
    && python3 -m venv --clear "$1"
}

# fetch_uv VERSION DIR: DIR/uv, uv VERSION. First the wheel straight from the index (standard library only);
# if that cannot be reached, pip in a throwaway virtual environment (pip's own configuration: mirror, proxy).
fetch_uv() {
  local want="$1" dir="$2" index="${UV_DEFAULT_INDEX:-${PIP_INDEX_URL:-https://pypi.org/simple}}" rc=0
  command -v python3 >/dev/null || { echo "python3 not found"; return 1; }
  python3 - "$want" "$index" "$dir/uv" <<<"$fetch_uv_py" || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -ne 3 ] || return 3  # the index served something else than it vouches for: no second try
    echo "direct download failed: trying pip in a throwaway virtual environment"
    make_venv "$dir/venv" || return 1
    "$dir/venv/bin/python" -m pip install --disable-pip-version-check --no-cache-dir --only-binary=:all: \
      "uv==$want" || return 1
    mv "$dir/venv/bin/uv" "$dir/uv"
  fi
  [ "$(uv_version "$dir/uv")" = "$want" ] || { echo "the installed uv does not report version $want"; return 1; }
}

# install_uv VERSION: uv VERSION as .local/bin/uv (replaced atomically: a failed try leaves the old file).
# (Written for a caller's `||`, where `set -e` is off: every step checks its own status.)
install_uv() {
  local want="$1" log tmp rc=0
  log="$(new_log uv)" || return 1
  mkdir -p "$local_bin" && tmp="$(mktemp -d "$local_bin/.uv-install.XXXXXX")" || return 1
  fetch_uv "$want" "$tmp" >>"$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    mv -f "$tmp/uv" "$local_bin/uv" || rc=$?
  fi
  rm -rf "$tmp"
  [ "$rc" -eq 0 ] || show_failure "$log" "installing uv $want"
  return "$rc"
}

# ensure_uv VERSION: sets uv_bin to a uv of that version: .local/bin/uv, else the one on PATH, else a new
# .local/bin/uv. A .local/bin/uv of another version is replaced, or removed when PATH's uv is the right one.
ensure_uv() {
  local want="$1" found
  uv_bin=""
  if [ -x "$local_bin/uv" ] && [ "$(uv_version "$local_bin/uv")" = "$want" ]; then
    uv_bin="$local_bin/uv"
    return 0
  fi
  hash -r
  found="$(command -v uv || true)"
  if [ -n "$found" ] && [ "$found" != "$local_bin/uv" ] && [ "$(uv_version "$found")" = "$want" ]; then
    rm -f "$local_bin/uv"
    uv_bin="$found"
    return 0
  fi
  say "[2/4] uv $want: installing into .local/bin from the package index ..."
  install_uv "$want" || return
  uv_bin="$local_bin/uv"
}

system_packages() {
  local need_apt=() log
  command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || need_apt+=(maven)
  command -v python3 >/dev/null || need_apt+=(python3)
  [ -s /etc/ssl/certs/ca-certificates.crt ] || need_apt+=(ca-certificates)
  if [ "${#need_apt[@]}" -eq 0 ]; then
    say "[1/4] system packages ok"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing system packages: ${need_apt[*]} (install them, or run as root)" >&2
    return 1
  fi
  say "[1/4] system packages: installing ${need_apt[*]} (apt-get) ..."
  log="$(new_log apt)"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"; } >>"$log" 2>&1; then
    show_failure "$log" "apt-get install"
    return 1
  fi
}

spark_jars() {
  local log
  # Every required jar already in the cache: nothing to do (no network).
  if "$uv_bin" run --frozen python -c 'import sys; from tasks.settings import get_settings; from tasks.spark_session import cached_jars; sys.exit(cached_jars(get_settings().jars_dir.resolve()) is None)' 2>/dev/null; then
    say "[4/4] Spark jars ok"
    return 0
  fi
  say "[4/4] Spark jars (first time: ~1 min from Maven Central) ..."
  log="$(new_log jars)"
  # Spark's Ivy reports every repository it tries (many "not found" lines): all of it goes to the log.
  if ! "$uv_bin" run --frozen python -m tasks.spark_session >>"$log" 2>&1; then
    show_failure "$log" "Spark jar resolution"
    return 1
  fi
}

main() {
  local want path_uv
  cd "$root"
  system_packages
  want="$(uv_pinned)"
  path_uv="$(command -v uv || true)"
  ensure_uv "$want"
  say "[2/4] uv $want ok ($uv_bin)"
  [ "$uv_bin" != "$local_bin/uv" ] || export PATH="$local_bin:$PATH"
  if [ -d .venv ]; then
    say "[3/4] python environment (uv sync) ..."
  else
    say "[3/4] python environment (uv sync; first time: a few minutes) ..."
  fi
  "$uv_bin" sync --frozen --quiet
  spark_jars
  say "environment ready (.venv, .cache/jars)"
  # The project's uv, and none of that version on PATH: say how a shell finds it (make: see the Makefile).
  if [ "$uv_bin" = "$local_bin/uv" ] && { [ -z "$path_uv" ] || [ "$(uv_version "$path_uv")" != "$want" ]; }; then
    say "uv $want is $uv_bin; for a shell: export PATH=\"$local_bin:\$PATH\""
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi

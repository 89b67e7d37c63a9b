#!/usr/bin/env bash
# Build FerretDB (MongoDB wire-protocol server, SQLite backend) into .local/bin/ferretdb.
# Idempotent: skips the build when the binary already reports the wanted version.
#
# A plain `go install .../cmd/ferretdb@vX` panics at start ("Invalid build/version/version.txt",
# FerretDB issue #2982) because build/version/*.txt is embedded via //go:embed and version.txt
# is normally generated from git. So: fetch the module from the Go module proxy, copy it to a
# writable temp dir, write build/version/{version,commit,package}.txt, and `go build` there.
set -euo pipefail

FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
MODULE="github.com/FerretDB/FerretDB"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN_DIR="${FERRETDB_BIN_DIR:-$ROOT/.local/bin}"
OUT="$BIN_DIR/ferretdb"

# Prefer go on PATH, fall back to the standard install location.
GO="$(command -v go || true)"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
[[ -x "$GO" ]] || { echo "build_ferretdb: go toolchain not found" >&2; exit 1; }

# Skip if the existing binary already is the wanted version (`--version` prints "version: vX.Y.Z").
if [[ -x "$OUT" ]] && "$OUT" --version 2>/dev/null | grep -qx "version: $FERRETDB_VERSION"; then
    echo "build_ferretdb: $OUT is already $FERRETDB_VERSION, skipping build"
    exit 0
fi

# Download (or reuse from the module cache) and locate the module source.
MODJSON="$("$GO" mod download -json "$MODULE@$FERRETDB_VERSION")"
SRC="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$MODJSON")"
COMMIT="$(sed -n 's/^[[:space:]]*"Hash": "\(.*\)",\{0,1\}$/\1/p' <<<"$MODJSON")"
[[ -d "$SRC" ]] || { echo "build_ferretdb: module dir not found in: $MODJSON" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$SRC/." "$WORK/"
chmod -R u+w "$WORK"   # the module cache is read-only

# version.txt is required and must start with "v"; commit.txt/package.txt are optional.
# (commit.txt must equal vcs.revision if Go stamps one; the temp dir is no git repo, so it doesn't.)
printf '%s\n' "$FERRETDB_VERSION" >"$WORK/build/version/version.txt"
[[ -z "$COMMIT" ]] || printf '%s\n' "$COMMIT" >"$WORK/build/version/commit.txt"
printf 'local\n' >"$WORK/build/version/package.txt"

# Default tags: SQLite (pure Go, modernc.org/sqlite) + PostgreSQL backends, non-debug build.
mkdir -p "$BIN_DIR"
echo "build_ferretdb: building $MODULE $FERRETDB_VERSION -> $OUT"
(cd "$WORK" && CGO_ENABLED=0 "$GO" build -trimpath -o "$OUT.tmp" ./cmd/ferretdb)
mv -f "$OUT.tmp" "$OUT"
"$OUT" --version

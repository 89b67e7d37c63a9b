#!/usr/bin/env bash
# Build the mongo-java-server launcher (./mongo-java-server: Maven project, H2 file backend)
# into .local/lib/mongo-java-server.jar (one runnable jar). Idempotent: skips the build when
# the jar is newer than the project's sources. Maven's ~/.m2 cache is reused.
# The jar is owner-only, like everything under .local/ (umask 077 for what this script writes).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PROJECT="$HERE/mongo-java-server"
JAR="${MONGO_JAVA_SERVER_JAR:-$ROOT/.local/lib/mongo-java-server.jar}"

command -v mvn >/dev/null || { echo "build_mongo_java_server: mvn not found (apt-get install maven)" >&2; exit 1; }

if [[ -f "$JAR" ]] && [[ -z "$(find "$PROJECT/pom.xml" "$PROJECT/src" -newer "$JAR" -print -quit)" ]]; then
    chmod go-rwx "$JAR"   # built before this script set umask 077
    echo "build_mongo_java_server: $JAR is up to date, skipping build"
    exit 0
fi

# Build in a temp copy so no target/ dir lands in the source tree.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$PROJECT/pom.xml" "$PROJECT/src" "$WORK/"
echo "build_mongo_java_server: building -> $JAR"
mvn -B -q -Dstyle.color=never -f "$WORK/pom.xml" package
umask 077
mkdir -p "$(dirname "$JAR")"
mv -f "$WORK/target/mongo-java-server.jar" "$JAR"
chmod 600 "$JAR"

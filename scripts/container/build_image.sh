#!/usr/bin/env bash
# Build the pipeline image with rootful podman from the local Debian base (run as root, after setup_podman.sh):
#   localhost/sicooperative-pipeline:latest  FROM  localhost/sicooperative-base:bookworm (build_base.sh if missing)
# Environment:
#   IMAGE            image to build (default localhost/sicooperative-pipeline:latest)
#   BASE_IMAGE       base image (default the local Debian one; any Debian 12 + python3 3.11 image works)
#   EXTRA_CA_CERTS   CA certificate files to trust in the image, copied into scripts/container/ca-certificates/
#                    (default: the host's /usr/local/share/ca-certificates/*.crt; empty: none copied). The image
#                    trusts every *.crt in that folder: delete files there to drop ones copied before.
#   UV_CACHE_FROM_HOST=1  lend the host's uv cache to the build, so packages the host already downloaded are not
#                    downloaded again (about 90 s less on a cold build). Off by default: it changes a build
#                    argument, so a later build without it (prefect.yaml's build step) would not reuse the layers.
# Extra arguments are passed to `podman build` (e.g. --no-cache).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
image="${IMAGE:-localhost/sicooperative-pipeline:latest}"
base="${BASE_IMAGE:-localhost/sicooperative-base:bookworm}"

if [ "$base" = localhost/sicooperative-base:bookworm ]; then
  BASE_IMAGE="$base" bash "$root/scripts/container/build_base.sh"
fi

ca_dir="$root/scripts/container/ca-certificates"
shopt -s nullglob
if [ -z "${EXTRA_CA_CERTS+set}" ]; then
  certs=(/usr/local/share/ca-certificates/*.crt)
else
  read -r -a certs <<<"$EXTRA_CA_CERTS"
fi
for cert in "${certs[@]}"; do
  target="$ca_dir/$(basename "$cert" .crt).crt"
  cmp -s "$cert" "$target" || cp "$cert" "$target"
done
staged=("$ca_dir"/*.crt)
echo "build_image: extra CA certificates: ${staged[*]##*/}${staged[*]:+ }(${#staged[@]} in ${ca_dir#"$root"/})"

args=(--network host --format docker --build-arg "BASE_IMAGE=$base" --tag "$image")
if [ "${UV_CACHE_FROM_HOST:-0}" = 1 ] && command -v uv >/dev/null; then
  uv_cache="$(uv cache dir 2>/dev/null || true)"
  if [ -d "$uv_cache" ]; then
    args+=(--volume "$uv_cache:/var/cache/host-uv" --build-arg UV_CACHE_DIR=/var/cache/host-uv)
    echo "build_image: lending the host's uv cache ($uv_cache)"
  fi
fi

start=$SECONDS
podman build "${args[@]}" "$@" "$root"
echo "build_image: built $image in $((SECONDS - start)) s"
# Earlier builds of the image, now untagged (the layers of this one stay: they are its build cache).
podman image prune --force --filter "label=org.opencontainers.image.title=sicooperative-pipeline" >/dev/null || true
podman images --filter "reference=$image" --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'

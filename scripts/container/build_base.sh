#!/usr/bin/env bash
# A local Debian 12 (bookworm) base image with Python 3.11, for machines that reach Debian's mirror but no
# container registry (run as root, after setup_podman.sh). Idempotent: does nothing when the image exists.
#   debootstrap --variant=minbase bookworm (mirror: the one the host's apt uses) -> trim -> podman import
# The host's extra CA certificates (/usr/local/share/ca-certificates/*.crt, e.g. a corporate proxy's) are
# trusted in the base. The root file system is cached as .cache/container/bookworm-rootfs.tar (git-ignored).
# Environment: BASE_IMAGE (default localhost/sicooperative-base:bookworm), DEBIAN_MIRROR, REBUILD=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
image="${BASE_IMAGE:-localhost/sicooperative-base:bookworm}"
cache="$root/.cache/container"
tarball="$cache/bookworm-rootfs.tar"

if [ "${REBUILD:-0}" != 1 ] && podman image exists "$image"; then
  echo "build_base: $image exists"
  exit 0
fi

# The mirror the host's apt uses for bookworm (deb822 or one-line format), else deb.debian.org.
apt_uri() {  # $1 = suite
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk -v suite="$1" '
    /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == suite) { print $i; exit } break } }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite && uri != "") { print uri; exit } }
    /^$/ { uri = "" }'
}
mirror="${DEBIAN_MIRROR:-$(apt_uri bookworm)}"
mirror="${mirror:-http://deb.debian.org/debian}"
security="$(apt_uri bookworm-security)"
security="${security:-http://deb.debian.org/debian-security}"

if [ "${REBUILD:-0}" = 1 ] || [ ! -s "$tarball" ]; then
  rootfs="$cache/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$cache"
  echo "build_base: debootstrap bookworm from $mirror"
  start=$SECONDS
  debootstrap --variant=minbase --include=ca-certificates,python3 bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    tail -n 20 "$cache/debootstrap.log" >&2
    exit 1
  }
  echo "build_base: debootstrap took $((SECONDS - start)) s"

  # apt sources as in the official image (main, updates, security), then bring the packages up to date.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Like the official slim images: no docs, man pages or translations from later installs; no .deb kept.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::GzipIndexes "true";
EOF
  # The host's extra CA certificates (corporate or egress proxies), trusted system-wide in the base.
  shopt -s nullglob
  extra=(/usr/local/share/ca-certificates/*.crt)
  if [ "${#extra[@]}" -gt 0 ]; then
    cp "${extra[@]}" "$rootfs/usr/local/share/ca-certificates/"
    echo "build_base: trusting ${#extra[@]} extra CA certificate(s): ${extra[*]##*/}"
  fi
  chroot "$rootfs" /bin/sh -c '
    set -e
    export DEBIAN_FRONTEND=noninteractive
    update-ca-certificates >/dev/null
    apt-get update -qq
    apt-get upgrade -y -qq >/dev/null
    apt-get clean
  ' >>"$cache/debootstrap.log" 2>&1 || {
    tail -n 20 "$cache/debootstrap.log" >&2
    exit 1
  }
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/tmp/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$rootfs"
fi

start=$SECONDS
podman import --quiet \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  "$tarball" "$image" >/dev/null
echo "build_base: imported $image in $((SECONDS - start)) s ($(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=si)B)"

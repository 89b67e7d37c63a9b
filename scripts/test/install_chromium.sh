#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests/utils/browser.py): Debian's chromium package, installed once.
# Playwright's own browser builds come from a CDN that a closed network cannot reach; Debian's mirror it can.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium ok: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_chromium: /usr/bin/chromium is missing; install Debian's chromium package (as root)" >&2
  exit 1
fi
echo "chromium: installing Debian's package (apt-get) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version

#!/usr/bin/env bash
# Rootful podman on a Debian 12 machine without a Docker engine (idempotent; run as root):
#   - apt-installs podman, buildah, runc and debootstrap when missing (no recommends: no crun, no rootless extras);
#   - merges the settings this kind of machine needs into /etc/containers/containers.conf, keeping any other
#     setting already there: runc (crun fails here), cgroupfs and file events (no systemd, no journald), ulimits
#     within the machine's hard limits, the host network by default (no iptables for bridges), netavark;
#   - checks that `podman info` works.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup_podman: run as root (rootful podman)" >&2
  exit 1
fi

need_apt=()
command -v podman >/dev/null || need_apt+=(podman)
command -v buildah >/dev/null || need_apt+=(buildah)
command -v runc >/dev/null || need_apt+=(runc)
command -v debootstrap >/dev/null || need_apt+=(debootstrap)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "setup_podman: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # netavark satisfies containers-common's network-stack dependency; builds and runs here use the host network.
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" netavark >/dev/null
fi

conf=/etc/containers/containers.conf
mkdir -p /etc/containers
touch "$conf"
# Set each key in its table: replace the key's (uncommented) line, else add it under the table header, else
# add the table. Comments, other keys and other tables stay as they are; the file is rewritten only on change.
python3 - "$conf" <<'PY'
import re
import sys

path = sys.argv[1]
wanted = {
    # Bridge networking needs iptables/netfilter, which this kind of machine lacks: containers (and build steps)
    # share the host's network unless told otherwise (the Docker API's network_mode="host" does the same).
    "containers": {"default_ulimits": '["nofile=20000:20000", "nproc=32768:32768"]', "netns": '"host"'},
    "engine": {"runtime": '"runc"', "cgroup_manager": '"cgroupfs"', "events_logger": '"file"'},
    # Debian's podman package ships a CNI config without the CNI plugins: name the backend it does have.
    "network": {"network_backend": '"netavark"'},
}
with open(path, encoding="utf-8") as handle:
    lines = handle.read().splitlines()
original = list(lines)


def table_bounds(name):
    start = next((i for i, line in enumerate(lines) if re.match(rf"^\s*\[{name}\]\s*(#.*)?$", line)), None)
    if start is None:
        return None, None
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[i])), len(lines))
    return start, end


for table, keys in wanted.items():
    for key, value in keys.items():
        start, end = table_bounds(table)
        if start is None:
            if lines and lines[-1].strip():
                lines.append("")
            lines += [f"[{table}]", f"{key} = {value}"]
            continue
        for i in range(start + 1, end):
            if re.match(rf"^\s*{key}\s*=", lines[i]):
                # A multi-line array value: drop its continuation lines up to the closing bracket.
                j = i
                if lines[i].split("=", 1)[1].strip().startswith("[") and "]" not in lines[i]:
                    while j + 1 < end and "]" not in lines[j]:
                        j += 1
                lines[i : j + 1] = [f"{key} = {value}"]
                break
        else:
            lines.insert(start + 1, f"{key} = {value}")

if lines != original:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print(f"setup_podman: updated {path}")
PY

info="$(podman info --format '{{.Host.OCIRuntime.Name}}, {{.Host.CgroupManager}}, {{.Store.GraphDriverName}}, {{.Host.NetworkBackend}}')" || {
  echo "setup_podman: podman info failed" >&2
  exit 1
}
echo "setup_podman: podman $(podman version --format '{{.Client.Version}}') ready (runtime, cgroups, storage, network: $info)"

"""scripts/bootstrap.sh: uv at the Dockerfile's version, from the package index (sha256 checked) and never through
pip; the noisy jar resolution goes to a log shown only on failure. Nothing here reaches the network or starts
Spark: a local HTTP server plays the index, and small shell scripts play uv."""

from __future__ import annotations

import hashlib
import io
import json
import platform
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bootstrap.sh"
_pin = re.search(r"^ARG UV_VERSION=(\S+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
assert _pin, "the Dockerfile pins no UV_VERSION"
PINNED = _pin[1]
MACHINE = platform.machine()

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="the fake wheels are manylinux ones"
)


def fake_uv(path: Path, version: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "uv {version} (fake)"\n')
    path.chmod(0o755)
    return path


def wheel(version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"uv-{version}.data/scripts/uv", f'#!/bin/sh\necho "uv {version} (fake)"\n')
        archive.writestr(f"uv-{version}.dist-info/METADATA", "Metadata-Version: 2.1\nName: uv\n")
    return buffer.getvalue()


class Index:
    """A PEP 691 (JSON) or PEP 503 (HTML) simple index serving uv wheels, with the sha256 it vouches for."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.html = False
        self.requests: list[str] = []
        self.url = ""

    def add(self, name: str, content: bytes, sha256: str | None = None) -> None:
        self.files[name] = (content, sha256 or hashlib.sha256(content).hexdigest())

    def page(self) -> tuple[str, bytes]:
        if self.html:
            links = "".join(
                f'<a href="/files/{n}#sha256={h}">{n}</a><br/>' for n, (_, h) in self.files.items()
            )
            return "text/html", f"<html><body>{links}</body></html>".encode()
        files = [
            {"filename": n, "url": f"../../files/{n}", "hashes": {"sha256": h}}
            for n, (_, h) in self.files.items()
        ]
        body = json.dumps({"meta": {"api-version": "1.1"}, "name": "uv", "files": files}).encode()
        return "application/vnd.pypi.simple.v1+json", body


@pytest.fixture
def index() -> Iterator[Index]:
    served = Index()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            if self.path == "/simple/uv/":
                kind, body = served.page()
            elif self.path.startswith("/files/") and self.path[len("/files/") :] in served.files:
                kind, body = "application/octet-stream", served.files[self.path[len("/files/") :]][0]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_port}/simple"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


def bootstrap(tmp_path: Path, snippet: str, index_url: str) -> subprocess.CompletedProcess[str]:
    """Source the script and run SNIPPET with the project's .local/ in tmp_path, a PATH whose python3 is this
    interpreter and whose pip/pip3 only record that they were called."""
    bin_dir = tmp_path / "path"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for pip in ("pip", "pip3"):
        (bin_dir / pip).write_text(f'#!/bin/sh\necho "$0 $*" >>"{tmp_path}/pip-called"\nexit 1\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    script = (
        f'source "{SCRIPT}"; local_bin="{tmp_path}/local/bin"; logs_dir="{tmp_path}/local/logs"; {snippet}'
    )
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "UV_DEFAULT_INDEX": index_url}
    return subprocess.run(
        ["bash", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )


def wheel_name(version: str, machine: str = MACHINE) -> str:
    return f"uv-{version}-py3-none-manylinux_2_17_{machine}.manylinux2014_{machine}.whl"


def test_pinned_version_is_the_dockerfiles(tmp_path: Path) -> None:
    done = bootstrap(tmp_path, "uv_pinned", "http://127.0.0.1:9/simple")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == PINNED


@pytest.mark.parametrize("html", [False, True], ids=["pep691-json", "pep503-html"])
def test_installs_the_pinned_uv_from_the_index_without_pip(tmp_path: Path, index: Index, html: bool) -> None:
    index.html = html
    index.add(wheel_name(PINNED), wheel(PINNED))
    index.add(wheel_name(PINNED, "s390x" if MACHINE != "s390x" else "ppc64le"), b"another machine", "0" * 64)
    index.add(wheel_name("999.0.0"), b"another version", "0" * 64)
    fake_uv(tmp_path / "path" / "uv", "0.1.0")  # the uv on PATH is another version

    done = bootstrap(tmp_path, 'ensure_uv "$(uv_pinned)"; echo "$uv_bin"', index.url)

    assert done.returncode == 0, done.stderr
    installed = tmp_path / "local" / "bin" / "uv"
    assert done.stdout.splitlines()[-1] == str(installed)
    assert subprocess.run(
        [installed, "--version"], capture_output=True, text=True, check=True
    ).stdout.startswith(f"uv {PINNED} ")
    assert index.requests == ["/simple/uv/", f"/files/{wheel_name(PINNED)}"]
    assert not (tmp_path / "pip-called").exists()
    assert (tmp_path / "local" / "logs" / "bootstrap-uv.log").stat().st_mode & 0o077 == 0
    assert [p.name for p in installed.parent.iterdir()] == ["uv"]  # no temporary folder left


def test_refuses_a_wheel_whose_sha256_differs_from_the_index(tmp_path: Path, index: Index) -> None:
    index.add(wheel_name(PINNED), wheel(PINNED), "0" * 64)
    stale = fake_uv(tmp_path / "local" / "bin" / "uv", "0.1.0")

    done = bootstrap(tmp_path, 'ensure_uv "$(uv_pinned)"', index.url)

    assert done.returncode != 0
    log = tmp_path / "local" / "logs" / "bootstrap-uv.log"
    assert f"installing uv {PINNED} failed; last lines of {log}" in done.stderr
    assert "sha256" in done.stderr
    assert "pip" not in log.read_text()  # an integrity failure is not retried another way
    assert "uv 0.1.0" in stale.read_text()  # the old file stays until a good one replaces it
    assert [p.name for p in stale.parent.iterdir()] == ["uv"]


def test_keeps_a_uv_of_the_pinned_version(tmp_path: Path, index: Index) -> None:
    local = fake_uv(tmp_path / "local" / "bin" / "uv", PINNED)
    done = bootstrap(tmp_path, 'ensure_uv "$(uv_pinned)"; echo "$uv_bin"', index.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(local)

    # A stale project copy gives way to a uv of the pinned version on PATH.
    fake_uv(local, "0.1.0")
    on_path = fake_uv(tmp_path / "path" / "uv", PINNED)
    done = bootstrap(tmp_path, 'ensure_uv "$(uv_pinned)"; echo "$uv_bin"', index.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(on_path)
    assert not local.exists()
    assert index.requests == []


@pytest.mark.parametrize("fails", [False, True])
def test_jar_resolution_output_goes_to_a_log(tmp_path: Path, fails: bool) -> None:
    uv = tmp_path / "uv"
    uv.write_text(
        "#!/bin/bash\n"
        '[[ " $* " == *" -c "* ]] && exit 1  # the jars are not cached yet\n'
        'for i in $(seq 1 50); do echo ":: problems summary :: ivy line $i" >&2; done\n'
        f"exit {int(fails)}\n"
    )
    uv.chmod(0o755)

    done = bootstrap(tmp_path, f'uv_bin="{uv}"; spark_jars', "http://127.0.0.1:9/simple")

    log = tmp_path / "local" / "logs" / "bootstrap-jars.log"
    assert done.stdout == "bootstrap: [4/4] Spark jars (first time: ~1 min from Maven Central) ...\n"
    assert "ivy line 50" in log.read_text()
    if fails:
        assert done.returncode != 0
        assert str(log) in done.stderr
        assert "ivy line 50" in done.stderr
        assert "ivy line 30" not in done.stderr  # the last lines only
    else:
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""


def test_the_jar_check_of_bootstrap_answers_truly_from_python_c(tmp_path: Path) -> None:
    """bootstrap.sh asks `python -c '... cached_jars(...)'` whether the jars are cached. Importing Great
    Expectations under `python -c` makes a pyspark connect module run as __main__ and exit 0 ("Skipping
    doctests"), which would answer "cached" whatever the truth: so the check must not import GX."""
    probe = (
        "import sys; from pathlib import Path; from tasks.spark_session import cached_jars; "
        f"sys.exit(7 if 'great_expectations' not in sys.modules and cached_jars(Path({str(tmp_path)!r})) is None else 5)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    # 7: an empty folder is reported not cached, by the probe's own last line (an early exit would be 0)
    assert done.returncode == 7, done.stdout + done.stderr

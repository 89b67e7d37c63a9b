"""A real self-hosted Prefect stack for end-to-end tests: `prefect server start`, `prefect deploy`, workers and
landing watchers, each its own process, exactly as an operator would run them. The server requires API
authentication (PREFECT_SERVER_API_AUTH_STRING, a random string per server), and every client of it (the CLI,
workers, watchers, the tests' own client) authenticates with PREFECT_API_AUTH_STRING, as in README "Deploy"."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.sorting import FlowRunSort

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_auth_string() -> str:
    """A random "user:password" auth string, as scripts/services/start_prefect.sh makes for the local server."""
    return f"sicoop:{secrets.token_urlsafe(32)}"


@dataclass
class PrefectServer:
    api_url: str
    home: Path
    logs: Path
    auth_string: str

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a process talking to this server (and nothing of the test session's Prefect)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env |= {
            "PREFECT_API_URL": self.api_url,
            "PREFECT_API_AUTH_STRING": self.auth_string,
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            # Workers poll every 10 s by default; the tests measure the pipeline, not the polling.
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_WORKER_PREFETCH_SECONDS": "2",
        }
        return env | extra

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> str:
        """Run the `prefect` CLI against this server; fails the test with its output if it fails."""
        done = subprocess.run(
            [str(BIN / "prefect"), "--no-prompt", *args],
            cwd=REPO,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def client(self) -> SyncPrefectClient:
        return SyncPrefectClient(self.api_url, auth_string=self.auth_string)

    def flow_runs(self, deployment: str) -> list[FlowRun]:
        with self.client() as client:
            return client.read_flow_runs(
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment])),
                sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            )

    def runs_for_batch(self, deployment: str, batch: str) -> list[FlowRun]:
        return [run for run in self.flow_runs(deployment) if run.parameters.get("batch") == batch]

    def wait_for_completed_run(self, deployment: str, batch: str, timeout: float) -> FlowRun:
        """The one run of `deployment` for `batch`, once final; fails unless it Completed."""
        deadline = time.monotonic() + timeout
        runs: list[FlowRun] = []
        while time.monotonic() < deadline:
            runs = self.runs_for_batch(deployment, batch)
            if runs and all(run.state and run.state.is_final() for run in runs):
                break
            time.sleep(2)
        states = [(run.name, run.state.type.value if run.state else None) for run in runs]
        assert len(runs) == 1, f"{deployment}: expected one run for {batch} within {timeout:.0f} s: {states}"
        [run] = runs
        assert run.state and run.state.is_completed(), f"run {run.name} for {batch}: {run.state}"
        return run


@contextmanager
def background(
    args: Sequence[str], env: dict[str, str], log: Path, cwd: Path = REPO
) -> Iterator[subprocess.Popen[bytes]]:
    """A long-running process (server, worker, watcher), stopped (SIGINT, then SIGKILL) on exit."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(args), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def prefect_server(root: Path, ui: bool = False) -> Iterator[PrefectServer]:
    """`prefect server start` on a free port, API auth on; with `ui`, its web UI too (same address)."""
    port = free_port()
    server = PrefectServer(
        api_url=f"http://127.0.0.1:{port}/api",
        home=root / "home",
        logs=root / "logs",
        auth_string=new_auth_string(),
    )
    args = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    args += [] if ui else ["--no-ui"]
    # Only the server holds PREFECT_SERVER_API_AUTH_STRING; its clients get PREFECT_API_AUTH_STRING (env()).
    server_env = server.env(
        PREFECT_SERVER_API_AUTH_STRING=server.auth_string, PREFECT_UI_API_URL=server.api_url
    )
    with background(args, server_env, server.logs / "server.log") as process:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, (server.logs / "server.log").read_text()
            try:  # GET /health (and /ready) need no authentication
                if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise AssertionError(f"Prefect server did not start:\n{(server.logs / 'server.log').read_text()}")
        yield server


def apply_deploy_file(module: str, file: str, env: dict[str, str]) -> str:
    """What a `make` target runs to apply a file of deploy/ (limits, automations) to a server; its output."""
    done = subprocess.run(
        [str(BIN / "python"), "-m", module, file],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def apply_concurrency_limits(server: PrefectServer) -> str:
    """What `make pools` runs after creating the pools: deploy/concurrency_limits.yaml, created or updated.
    Deployed runs refuse to write without the writer limit (tasks/ops/writer.py)."""
    return apply_deploy_file("flows.ops.limits", "deploy/concurrency_limits.yaml", server.env())


def report_delay(label: str, arrived: float, run: FlowRun) -> None:
    """Arrival -> run start and -> run end, printed for the record (`pytest -s`); never asserted."""
    assert run.start_time and run.end_time
    started = run.start_time.timestamp() - arrived
    ended = run.end_time.timestamp() - arrived
    print(f"\n[{label}] batch arrival -> run start {started:.1f} s, -> run completed {ended:.1f} s")


def worker(pool: str, env: dict[str, str], log: Path) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """`prefect worker start --pool POOL`, as a background process."""
    return background([str(BIN / "prefect"), "worker", "start", "--pool", pool], env, log)


def watcher(
    server: PrefectServer, landing_uri: str, landing: str, root: Path
) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """`python -m flows.watch` scanning every second, its cursor and log under `root`."""
    args = [
        str(BIN / "python"), "-m", "flows.watch", landing_uri,
        "--landing", landing, "--interval", "1", "--cursor", str(root / "cursor.json"),
    ]  # fmt: skip
    return background(args, server.env(), root / "watcher.log")


def prefect_env() -> dict[str, str]:
    """The child talks to the local Prefect server of `make services` when there is one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    local = REPO / ".local" / "prefect.env"
    if local.is_file():
        for line in local.read_text().splitlines():
            name, _, value = line.partition("=")
            if name.startswith("PREFECT_"):
                env[name] = value
    return env

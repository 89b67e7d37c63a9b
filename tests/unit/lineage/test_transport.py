"""Events reach a real HTTP consumer (a local server standing in for Marquez) with the API key as a bearer
token, or one JSON-lines file per run under the lineage folder."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
from pydantic import SecretStr

from tasks.lineage.transport import flow_transport
from tasks.settings import Settings

RUN_ID = "0190e4b2-8d3c-7a3b-9c1e-2f9e1b7f0a11"


def event(state: RunState) -> RunEvent:
    return RunEvent(
        eventType=state,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=RUN_ID),
        job=Job(namespace="sicooperative", name="sicooperative-pipeline"),
    )


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def consumer() -> Iterator[tuple[str, list[tuple[str, dict[str, str], dict[str, Any]]]]]:
    received: list[tuple[str, dict[str, str], dict[str, Any]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers), json.loads(body)))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def test_http_events_carry_the_api_key_as_a_bearer_token(
    consumer: tuple[str, list[tuple[str, dict[str, str], dict[str, Any]]]],
) -> None:
    url, received = consumer
    transport = flow_transport(
        settings(lineage_transport="http", openlineage_url=url, openlineage_api_key=SecretStr("k3y")), RUN_ID
    )
    assert transport is not None
    transport.emit(event(RunState.START))
    ((path, headers, body),) = received
    assert path == "/api/v1/lineage"
    assert headers["Authorization"] == "Bearer k3y"
    assert (body["eventType"], body["run"]["runId"]) == ("START", RUN_ID)


def test_file_events_are_one_json_line_each_in_the_runs_file(tmp_path: Path) -> None:
    transport = flow_transport(settings(output_dir=str(tmp_path)), RUN_ID)
    assert transport is not None
    transport.emit(event(RunState.START))
    transport.emit(event(RunState.COMPLETE))
    lines = (tmp_path / "ops" / "lineage" / "flow" / f"{RUN_ID}.jsonl").read_text().splitlines()
    assert [json.loads(line)["eventType"] for line in lines] == ["START", "COMPLETE"]


def test_off_has_no_transport(tmp_path: Path) -> None:
    assert flow_transport(settings(lineage_transport="off", output_dir=str(tmp_path)), RUN_ID) is None
    assert not (tmp_path / "ops").exists()

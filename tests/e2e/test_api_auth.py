"""The self-hosted Prefect server's API authentication (README "Deploy"): with PREFECT_SERVER_API_AUTH_STRING set,
it refuses every request without the auth string, or with another one, and serves its clients that send it
(PREFECT_API_AUTH_STRING, HTTP Basic): the tests' own client and the `prefect` CLI."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.exceptions import PrefectHTTPStatusError

from tests.utils.prefect_stack import PrefectServer, prefect_server


def basic(auth_string: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(auth_string.encode("utf-8")).decode("ascii")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with prefect_server(tmp_path_factory.mktemp("prefect-auth")) as started:
        yield started


def test_requests_without_the_auth_string_are_refused(server: PrefectServer) -> None:
    with httpx.Client(base_url=server.api_url, timeout=10) as http:
        assert http.post("/flows/filter", json={}).status_code == 401
        assert http.get("/flows/00000000-0000-0000-0000-000000000000").status_code == 401
        assert http.post("/flows/filter", json={}, headers=basic("sicoop:wrong")).status_code == 401
        assert http.post("/flows/filter", json={}, headers=basic(server.auth_string)).status_code == 200
        # Health probes stay open (Prefect exempts GET /health and /ready), so monitoring needs no secret.
        assert http.get("/health").status_code == 200


def test_prefect_clients_authenticate_with_the_auth_string(server: PrefectServer) -> None:
    with pytest.raises(PrefectHTTPStatusError) as refused, SyncPrefectClient(server.api_url) as anonymous:
        anonymous.read_flows()
    assert refused.value.response.status_code == 401

    with server.client() as client:
        assert client.read_flows() == []
    # The CLI, as workers, watchers and `prefect deploy` run it: PREFECT_API_AUTH_STRING in its environment.
    assert "sicoop-auth-check" in server.cli("work-pool", "create", "sicoop-auth-check", "--type", "process")

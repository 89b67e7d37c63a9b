"""Fixtures of the end-to-end tier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_SERVER_API_AUTH_STRING, temporary_settings
from prefect.testing.utilities import prefect_test_harness

from tests.utils.prefect_stack import new_auth_string


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A temporary Prefect server for flows run in the test process (the deployment tests start their own).

    With API authentication on, like every server of these tests: the harness starts its server as a subprocess
    with the current settings as environment variables (SubprocessASGIServer), so the server gets
    PREFECT_SERVER_API_AUTH_STRING, and the test process's client PREFECT_API_AUTH_STRING, from these settings.
    """
    auth_string = new_auth_string()
    with (
        temporary_settings(
            updates={PREFECT_SERVER_API_AUTH_STRING: auth_string, PREFECT_API_AUTH_STRING: auth_string}
        ),
        prefect_test_harness(server_startup_timeout=120),
    ):
        yield

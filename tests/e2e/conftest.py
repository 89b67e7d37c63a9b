"""Fixtures of the end-to-end tier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A temporary Prefect server for flows run in the test process (the deployment tests start their own)."""
    with prefect_test_harness(server_startup_timeout=120):
        yield

"""Prefect flows of the SiCooperative pipeline.

Importing the package sets Prefect's offline-friendly defaults once, for every entry point (CLI, tests,
benchmarks, deployments); any value already in the environment wins.
"""

from __future__ import annotations

import os

PREFECT_OFFLINE_DEFAULTS = {
    # The temporary local server (no PREFECT_API_URL) needs 10-24 s to start here; the default limit is 20 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # Offline, analytics only log errors (and once "database is locked").
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}

for _name, _value in PREFECT_OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_name, _value)

"""The dashboard names the ledger's tables as the ledger writes them, and starts without Spark or GX."""

from __future__ import annotations

import subprocess
import sys

from dashboard import sources
from tasks.ops import ledger


def test_ledger_table_names_agree_with_the_ledger() -> None:
    assert (sources.RUNS_TABLE, sources.QUALITY_TABLE) == (ledger.RUNS_TABLE, ledger.QUALITY_TABLE)


def test_the_pages_import_neither_spark_nor_great_expectations() -> None:
    probe = "import sys, dashboard.business, dashboard.operations; print(sorted(set(sys.modules) & {'pyspark', 'great_expectations', 'prefect'}))"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]", shown.stdout + shown.stderr

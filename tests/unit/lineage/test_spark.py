"""The listener is configured only for a flow run, with that run as its parent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tasks.lineage.spark import ParentRun, listener_options, set_parent
from tasks.settings import Settings

PARENT = ParentRun("sicooperative", "sicooperative-pipeline", "0190e4b2-8d3c-7a3b-9c1e-2f9e1b7f0a11")


@pytest.fixture
def parent() -> Iterator[ParentRun]:
    set_parent(PARENT)
    yield PARENT
    set_parent(None)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_no_flow_run_no_listener() -> None:
    set_parent(None)
    assert listener_options(settings()) == {}


def test_off_means_no_listener(parent: ParentRun) -> None:
    assert listener_options(settings(lineage_transport="off")) == {}


def test_file_transport_writes_under_the_lineage_folder_as_the_flow_runs_child(
    parent: ParentRun, tmp_path: Path
) -> None:
    options = listener_options(settings(output_dir=str(tmp_path)))
    assert options["spark.openlineage.parentRunId"] == parent.run_id
    assert options["spark.openlineage.parentJobName"] == parent.job
    assert options["spark.openlineage.transport.type"] == "file"
    location = Path(options["spark.openlineage.transport.location"])
    assert location == tmp_path / "ops" / "lineage" / "spark" / f"{parent.run_id}.jsonl"
    assert location.parent.is_dir()
    assert options["spark.openlineage.facets.spark.logicalPlan.disabled"] == "true"


def test_http_transport_sends_the_api_key_and_spark_redacts_it(parent: ParentRun) -> None:
    options = listener_options(
        settings(
            lineage_transport="http",
            openlineage_url="http://127.0.0.1:5000",
            openlineage_api_key=SecretStr("k3y"),
        )
    )
    assert options["spark.openlineage.transport.url"] == "http://127.0.0.1:5000"
    assert options["spark.openlineage.transport.endpoint"] == "/api/v1/lineage"
    assert options["spark.openlineage.transport.auth.apiKey"] == "k3y"
    assert re.search(options["spark.redaction.regex"], "spark.openlineage.transport.auth.apiKey")
    assert re.search(options["spark.redaction.regex"], "spark.hadoop.fs.s3a.secret.key")


def test_http_without_a_url_is_a_warning_not_a_failure(
    parent: ParentRun, caplog: pytest.LogCaptureFixture
) -> None:
    assert listener_options(settings(lineage_transport="http")) == {}
    assert "LineageConfigError: SICOOP_LINEAGE_TRANSPORT=http needs SICOOP_OPENLINEAGE_URL" in caplog.text

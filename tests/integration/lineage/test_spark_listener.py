"""Each flow run attaches its own OpenLineage listener to the one long-lived session: a warm process (a served flow,
a worker) gives every run its own Spark application run, parented to that run, and ends it with the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from tasks.lineage.spark import ParentRun, detach_listener, follow_parent, set_parent
from tasks.settings import Settings


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_as(spark: SparkSession, settings: Settings, parent: ParentRun, rows: int) -> Path:
    written = Path(settings.output_dir) / "written" / parent.run_id
    set_parent(parent)
    try:
        follow_parent(spark.sparkContext, settings)
        spark.range(rows).write.parquet(str(written))  # a job with an output: the listener reports it
    finally:
        set_parent(None)
        detach_listener()
    return Path(settings.output_dir) / "ops" / "lineage" / "spark" / f"{parent.run_id}.jsonl"


def test_two_runs_on_one_session_get_their_own_application_runs(spark: SparkSession, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, output_dir=str(tmp_path))  # type: ignore[call-arg]
    first = ParentRun("sicooperative", "sicooperative-pipeline", "0190e4b2-8d3c-7a3b-9c1e-2f9e1b7f0a11")
    second = ParentRun("sicooperative", "sicooperative-pipeline", "0190e4b2-8d3c-7a3b-9c1e-2f9e1b7f0a22")

    files = [run_as(spark, settings, first, 10), run_as(spark, settings, second, 20)]

    applications = []
    for parent, file in zip((first, second), files, strict=True):
        found = events(file)
        application = [e for e in found if e["run"]["facets"]["parent"]["run"]["runId"] == parent.run_id]
        # START when attached, COMPLETE when the run ends: the file is whole before the process exits.
        assert [e["eventType"] for e in application] == ["START", "COMPLETE"], file
        assert {e["run"]["facets"]["parent"]["job"]["name"] for e in application} == {parent.job}
        jobs = [e for e in found if e not in application]
        outputs = {output["name"] for e in jobs for output in e.get("outputs", [])}
        assert outputs == {str(tmp_path / "written" / parent.run_id)}, (
            "each run's write reached its own listener"
        )
        assert {e["run"]["facets"]["parent"]["run"]["runId"] for e in jobs} == {
            application[0]["run"]["runId"]
        }
        applications.append(application[0]["run"]["runId"])
    assert applications[0] != applications[1]


def test_outside_a_flow_run_nothing_is_attached(spark: SparkSession, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, output_dir=str(tmp_path))  # type: ignore[call-arg]
    set_parent(None)
    follow_parent(spark.sparkContext, settings)
    assert spark.range(3).count() == 3
    detach_listener()
    assert not (tmp_path / "ops").exists()

"""Which files a Delta commit wrote, read from its log: what the leak proof searches and a rollback deletes."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.export.delta import files_written
from tasks.storage import resolve


def _commit(table: Path, version: int, actions: list[dict[str, object]]) -> None:
    log = table / "_delta_log"
    log.mkdir(parents=True, exist_ok=True)
    (log / f"{version:020d}.json").write_text("\n".join(json.dumps(a) for a in actions) + "\n")


def test_the_files_of_the_commits_after_a_version(tmp_path: Path) -> None:
    table = tmp_path / "movimento_flat"
    _commit(table, 0, [{"add": {"path": "part-0.parquet"}}])
    _commit(table, 1, [{"commitInfo": {}}, {"add": {"path": "batch_id%3Db1/part-1.parquet"}}])
    _commit(table, 2, [{"add": {"path": "part-2.parquet"}}, {"cdc": {"path": "_change_data/c-2.parquet"}}])
    (table / "_delta_log" / "00000000000000000002.crc").write_text("{}")
    logs, data = files_written(resolve(table), after=0, upto=2)
    assert sorted(f.name for f in logs) == [
        "00000000000000000001.json",
        "00000000000000000002.crc",
        "00000000000000000002.json",
    ]
    assert [f.path[len(str(table)) + 1 :] for f in data] == [
        "batch_id=b1/part-1.parquet",  # the log's URL-encoded path, decoded
        "part-2.parquet",
        "_change_data/c-2.parquet",
    ]
    assert files_written(resolve(table), after=2, upto=2) == ([], [])

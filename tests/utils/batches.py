"""Helpers that land small batches for tests, and damage them in controlled ways."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv

from tasks.generate.generator import GenerationConfig, generate
from tasks.landing.manifest import read_manifest, sha256_of, write_manifest
from tasks.landing.writer import CSV_DELIMITER, write_batch
from tasks.settings import get_settings

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State

    from flows.pipeline import RunSummary

AS_OF = datetime(2026, 6, 30)


def land_batch(landing: Path, seed: int = 11, associados: int = 200, movimentos: int = 2_000) -> Path:
    config = GenerationConfig(associados=associados, movimentos=movimentos, seed=seed, as_of=AS_OF)
    return write_batch(landing, f"test-seed{seed}-m{movimentos}", generate(config), {"seed": seed})


def rewrite_file(batch_dir: Path, file_name: str, edit: Callable[[list[str]], list[str]]) -> None:
    """Edit a data file's lines and re-seal the manifest, so only the edit itself is wrong."""
    path = batch_dir / file_name
    lines = edit(path.read_text(encoding="utf-8").splitlines())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reseal(batch_dir, file_name, len(lines) - 1)


def run_pipeline(
    batch: Path | str | None, output: Path | str, landing: Path | str | None = None, **parameters: Any
) -> State[RunSummary]:
    """Run the flow (returns its final state) as a worker configured with SICOOP_LANDING_DIR = `landing`
    (default: the batch's parent folder) and SICOOP_OUTPUT_DIR = `output`; both are restored afterwards.

    The flow takes its landing and output from the settings only, and refuses a batch outside that landing."""
    from flows.pipeline import sicooperative_pipeline  # Spark and GX: only for the tests that run the flow

    if landing is None:
        assert batch is not None, "give the landing when generating a batch"
        landing = Path(batch).parent
    if batch is not None:
        parameters["batch"] = str(batch)
    variables = {"SICOOP_LANDING_DIR": str(landing), "SICOOP_OUTPUT_DIR": str(output)}
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    get_settings.cache_clear()
    try:
        return sicooperative_pipeline(**parameters, return_state=True)
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def rewrite_table(batch_dir: Path, file_name: str, edit: Callable[[pa.Table], pa.Table]) -> None:
    """Edit a data file as a table of text columns (Arrow reads and writes it, quoting as the writer does) and
    re-seal the manifest, so only the edit itself is wrong."""
    path = batch_dir / file_name
    names = path.read_text(encoding="utf-8").split("\n", 1)[0].replace('"', "").split(CSV_DELIMITER)
    text = pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter=CSV_DELIMITER, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    options = pacsv.WriteOptions(include_header=True, delimiter=CSV_DELIMITER, quoting_style="needed")
    edited = edit(text)
    pacsv.write_csv(edited, path, write_options=options)
    reseal(batch_dir, file_name, edited.num_rows)


def reseal(batch_dir: Path, file_name: str, rows: int) -> None:
    """Re-write the manifest's entry of a file to what it now holds."""
    path = batch_dir / file_name
    manifest = read_manifest(batch_dir)
    entry = manifest.file(file_name)
    assert entry is not None
    entry.rows, entry.bytes, entry.sha256 = rows, path.stat().st_size, sha256_of(path)
    write_manifest(batch_dir, manifest)

"""Which landed folders count as complete batches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.fs as pafs

from tasks.landing.discovery import CompleteBatch, IncompleteBatch, find_batches
from tasks.landing.manifest import MANIFEST_NAME
from tests.batches import land_batch

LOCAL = pafs.LocalFileSystem()


def test_a_landed_batch_is_complete(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=50, associados=10)
    [found] = find_batches(LOCAL, str(tmp_path))
    assert isinstance(found, CompleteBatch)
    assert found.name == batch.name
    assert found.batch_id == batch.name
    assert len(found.manifest_sha256) == 64


def test_no_manifest_means_not_yet(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=50, associados=10)
    (batch / MANIFEST_NAME).unlink()
    [found] = find_batches(LOCAL, str(tmp_path))
    assert isinstance(found, IncompleteBatch)
    assert found.reason == "no manifest yet"


def test_manifest_before_its_files_means_not_yet(tmp_path: Path) -> None:
    """An uploader that sends the manifest first, or a copy still in flight, is not a complete batch."""
    batch = land_batch(tmp_path, movimentos=50, associados=10)
    data_file = next(path for path in batch.iterdir() if path.suffix == ".csv")
    content = data_file.read_bytes()
    data_file.write_bytes(content[: len(content) // 2])
    [found] = find_batches(LOCAL, str(tmp_path))
    assert isinstance(found, IncompleteBatch)
    assert data_file.name in found.reason
    data_file.unlink()
    [found] = find_batches(LOCAL, str(tmp_path))
    assert isinstance(found, IncompleteBatch)


def test_half_written_manifest_is_not_a_batch(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=50, associados=10)
    manifest = batch / MANIFEST_NAME
    manifest.write_text(manifest.read_text()[:40], encoding="utf-8")
    [found] = find_batches(LOCAL, str(tmp_path))
    assert isinstance(found, IncompleteBatch)


def test_rejected_hidden_and_missing_roots_are_skipped(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=50, associados=10)
    shutil.copytree(batch, tmp_path / "_rejected" / batch.name)
    shutil.copytree(batch, tmp_path / ".staging")
    (tmp_path / "README.txt").write_text("not a batch", encoding="utf-8")
    assert [found.path for found in find_batches(LOCAL, str(tmp_path))] == [str(batch)]
    assert find_batches(LOCAL, str(tmp_path / "absent")) == []


def test_a_rewritten_batch_has_a_new_identity(tmp_path: Path) -> None:
    first = find_batches(LOCAL, str(land_batch(tmp_path, movimentos=50, associados=10).parent))[0]
    land_batch(tmp_path, movimentos=50, associados=10)  # same content, new created_at in the manifest
    second = find_batches(LOCAL, str(tmp_path))[0]
    assert isinstance(first, CompleteBatch)
    assert isinstance(second, CompleteBatch)
    assert first.manifest_sha256 != second.manifest_sha256

"""An S3 batch comes down as its manifest and the files it lists, nothing else, each within the size cap and of
the manifest's size: against the real S3 API of the local S3Proxy (`make services`), under a fresh prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.landing.manifest import MANIFEST_NAME, ManifestError, read_manifest
from tasks.landing.staging import download_batch, local_copy, locate_batch
from tasks.landing.verification import BatchRejected, verify_batch
from tasks.landing.writer import upload_batch
from tasks.storage import Location, resolve
from tests.utils.batches import land_batch


@pytest.fixture
def s3_batch(s3_prefix: Location, tmp_path: Path) -> tuple[Path, Location]:
    """A small batch landed on S3 (the local original too), with objects its manifest does not list."""
    batch = land_batch(tmp_path / "local", seed=5, movimentos=40, associados=8)
    landed = upload_batch(batch, s3_prefix.join("landing"))
    landed.join("notes.txt").write_bytes(b"not part of the batch")
    landed.join("sub", "movimento.csv").write_bytes(b"nor is this")
    return batch, landed


def test_only_the_manifest_and_the_files_it_lists_come_down(s3_batch: tuple[Path, Location]) -> None:
    batch, landed = s3_batch
    assert len(resolve(landed).list_files(recursive=True)) == 7  # 4 data files, the manifest and 2 strangers
    located = locate_batch(landed.uri, landed.parent.uri)
    with local_copy(located) as folder:
        listed = {entry.name for entry in read_manifest(folder).files}
        assert {path.name for path in folder.rglob("*")} == listed | {MANIFEST_NAME}
        for name in listed:
            assert (folder / name).read_bytes() == (batch / name).read_bytes()
        assert verify_batch(folder).batch_id == batch.name
    assert not folder.exists()  # the temporary copy is removed


def test_a_file_above_the_cap_is_refused_before_any_download(
    s3_batch: tuple[Path, Location], tmp_path: Path
) -> None:
    batch, landed = s3_batch
    largest = max(read_manifest(batch).files, key=lambda entry: entry.bytes)
    with pytest.raises(BatchRejected) as caught, local_copy(landed, max_file_bytes=largest.bytes - 1):
        pass
    assert caught.value.file_name == largest.name
    assert f"above the {largest.bytes - 1:,}-byte cap" in caught.value.problem
    with pytest.raises(BatchRejected):
        download_batch(landed, tmp_path / "copy", largest.bytes - 1)
    assert not (tmp_path / "copy").exists()  # refused from the manifest alone: nothing came down


def test_a_file_whose_size_differs_from_the_manifest_is_refused(s3_batch: tuple[Path, Location]) -> None:
    batch, landed = s3_batch
    landed.join("conta.csv").write_bytes((batch / "conta.csv").read_bytes() + b"1;CORRENTE;2020-01-01;1\n")
    with (
        pytest.raises(BatchRejected, match=r"conta\.csv: size [0-9,]+ bytes, the manifest says"),
        local_copy(landed),
    ):
        pass


def test_a_manifest_above_its_cap_is_refused(s3_batch: tuple[Path, Location]) -> None:
    _, landed = s3_batch
    landed.join(MANIFEST_NAME).write_bytes(b"{" + b" " * (1 << 20) + b"}")
    with pytest.raises(ManifestError, match="larger than the 1,048,576-byte cap"), local_copy(landed):
        pass


def test_a_manifest_naming_a_file_outside_the_batch_is_refused(s3_batch: tuple[Path, Location]) -> None:
    batch, landed = s3_batch
    manifest = (batch / MANIFEST_NAME).read_text(encoding="utf-8").replace('"conta.csv"', '"../conta.csv"')
    landed.join(MANIFEST_NAME).write_bytes(manifest.encode("utf-8"))
    with pytest.raises(ManifestError, match=r"invalid manifest \(files\.[0-9]+\.name"), local_copy(landed):
        pass


def test_a_manifest_with_a_bom_comes_down_and_verifies(s3_batch: tuple[Path, Location]) -> None:
    batch, landed = s3_batch
    landed.join(MANIFEST_NAME).write_bytes(b"\xef\xbb\xbf" + (batch / MANIFEST_NAME).read_bytes())
    with local_copy(landed) as folder:
        assert verify_batch(folder).batch_id == batch.name


def test_a_missing_manifest_is_an_incomplete_batch(s3_prefix: Location) -> None:
    with (
        pytest.raises(ManifestError, match="manifest not found"),
        local_copy(s3_prefix.join("landing", "nothing")),
    ):
        pass


def test_a_batch_refused_at_download_is_moved_aside_in_its_bucket(
    s3_batch: tuple[Path, Location], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load task handles a download refusal like any other rejection: the batch goes to `_rejected/`."""
    from prefect.logging import disable_run_logger

    from tasks.landing.rejection import REASON_FILE, REJECTED_DIR
    from tasks.load.task import load_batch
    from tasks.settings import get_settings
    from tasks.storage import resolve

    _, landed = s3_batch
    monkeypatch.setenv("SICOOP_MAX_BATCH_FILE_BYTES", "10")
    get_settings.cache_clear()
    try:
        with disable_run_logger(), pytest.raises(BatchRejected, match="above the 10-byte cap"):
            load_batch.fn(landed)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert not resolve(landed).exists()
    assert landed.parent.join(REJECTED_DIR, landed.name, REASON_FILE).exists()

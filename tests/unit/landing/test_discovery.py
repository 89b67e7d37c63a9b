"""Which landed folders count as complete batches."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, cast

import pyarrow.fs as pafs

from tasks.landing.discovery import CompleteBatch, IncompleteBatch, find_batches
from tasks.landing.manifest import MANIFEST_MAX_BYTES, MANIFEST_NAME
from tests.utils.batches import land_batch

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


class RecordingFileSystem:
    """The local filesystem, recording what is opened and read, failing for chosen folders and, to stand for a
    manifest that grows after it was listed, understating chosen files' sizes."""

    def __init__(self, broken: str = "", understated: str = "") -> None:
        self.local = pafs.LocalFileSystem()
        self.broken, self.understated = broken, understated
        self.read: dict[str, int] = {}

    def get_file_info(self, what: Any) -> Any:
        if isinstance(what, pafs.FileSelector) and self.broken and self.broken in what.base_dir:
            raise PermissionError(13, "Permission denied", what.base_dir)
        infos = self.local.get_file_info(what)
        if not isinstance(infos, list):
            return infos
        return [
            pafs.FileInfo(info.path, info.type, size=1)
            if self.understated and self.understated in info.path
            else info
            for info in infos
        ]

    def open_input_stream(self, path: str) -> Any:
        recorder = self

        class Stream:
            def __enter__(self) -> Stream:
                self.inner = recorder.local.open_input_stream(path)
                return self

            def __exit__(self, *exc: object) -> None:
                self.inner.close()

            def read(self, size: int) -> bytes:
                data = bytes(self.inner.read(size))
                recorder.read[path] = recorder.read.get(path, 0) + len(data)
                return data

        return Stream()


def landed(root: Path, name: str) -> Path:
    """A complete batch copied into folder `name` (discovery does not compare batch ids with folder names);
    built under `.build`, which discovery skips."""
    batch = land_batch(root / ".build", movimentos=20, associados=5)
    shutil.copytree(batch, root / name)
    return root / name


def test_bad_folders_never_hide_the_good_one(tmp_path: Path) -> None:
    landed(tmp_path, "a-malformed").joinpath(MANIFEST_NAME).write_text('{"files": [', encoding="utf-8")
    huge = landed(tmp_path, "b-huge") / MANIFEST_NAME
    huge.write_bytes(b" " * (MANIFEST_MAX_BYTES + 1) + huge.read_bytes())
    landed(tmp_path, "c-unreadable")
    good = landed(tmp_path, "d-good")
    landed(tmp_path, "e-not-json").joinpath(MANIFEST_NAME).write_bytes(b"\xff\xfe\x00")
    filesystem = RecordingFileSystem(broken="c-unreadable")

    found = {Path(f.path).name: f for f in find_batches(cast(pafs.FileSystem, filesystem), str(tmp_path))}

    assert isinstance(found["d-good"], CompleteBatch) and found["d-good"].path == str(good)
    reasons = {name: f.reason for name, f in found.items() if isinstance(f, IncompleteBatch)}
    assert reasons == {
        "a-malformed": "manifest is not a valid manifest (yet)",
        "b-huge": "manifest larger than the 1,048,576-byte cap",
        "c-unreadable": "unreadable (PermissionError: [Errno 13] Permission denied: "
        f"'{tmp_path / 'c-unreadable'}')",
        "e-not-json": "manifest is not a valid manifest (yet)",
    }
    assert str(huge) not in filesystem.read  # refused from its listed size: never opened


def test_a_manifest_that_grew_after_listing_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    manifest = landed(tmp_path, "growing") / MANIFEST_NAME
    manifest.write_bytes(b" " * (4 * MANIFEST_MAX_BYTES) + manifest.read_bytes())
    filesystem = RecordingFileSystem(understated=MANIFEST_NAME)
    [found] = find_batches(cast(pafs.FileSystem, filesystem), str(tmp_path))
    assert isinstance(found, IncompleteBatch) and "cap" in found.reason
    assert filesystem.read[str(manifest)] == MANIFEST_MAX_BYTES + 1


def test_a_manifest_with_a_utf8_bom_is_complete(tmp_path: Path) -> None:
    manifest = landed(tmp_path, "bom") / MANIFEST_NAME
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes())
    [found] = find_batches(LOCAL, str(tmp_path))
    assert isinstance(found, CompleteBatch)

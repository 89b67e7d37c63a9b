"""A local Location does what an S3 one does (tests/integration/test_s3_storage.py runs the same on S3)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tasks.storage import resolve


def test_a_file_is_written_whole_and_read_back(tmp_path: Path) -> None:
    target = resolve(tmp_path / "a" / "b" / "file.bin")
    target.write_bytes(b"first")
    target.write_bytes(b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["file.bin"]  # no temporary file left


def test_folders_and_files_are_listed_in_order(tmp_path: Path) -> None:
    root = resolve(tmp_path)
    for name in ("b/2.csv", "a/1.csv", "a/x/3.csv", "top.txt"):
        root.join(name).write_bytes(b".")
    assert [f.name for f in root.list_folders()] == ["a", "b"]
    assert [f.name for f in root.list_files()] == ["top.txt"]
    assert [f.path[len(root.path) + 1 :] for f in root.list_files(recursive=True)] == [
        "a/1.csv",
        "a/x/3.csv",
        "b/2.csv",
        "top.txt",
    ]
    assert root.join("missing").list_files() == [] and not root.join("missing").exists()


def test_a_folder_is_copied_and_moved_never_over_another(tmp_path: Path) -> None:
    source = resolve(tmp_path / "src")
    source.join("x", "1.csv").write_bytes(b"1")
    copies = source.copy_folder_to(resolve(tmp_path / "copy"))
    assert [c.read_bytes() for c in copies] == [b"1"]
    moved = source.move_folder_to(resolve(tmp_path / "moved"))
    assert not source.exists() and moved.join("x", "1.csv").read_bytes() == b"1"
    with pytest.raises(FileExistsError):
        resolve(tmp_path / "copy").move_folder_to(moved)
    with pytest.raises(FileNotFoundError):
        source.move_folder_to(resolve(tmp_path / "elsewhere"))


def test_delete_folder_is_idempotent_and_never_takes_a_bucket(tmp_path: Path) -> None:
    folder = resolve(tmp_path / "gone")
    folder.join("f").write_bytes(b".")
    folder.delete_folder()
    folder.delete_folder()  # already gone: fine
    with pytest.raises(FileNotFoundError):
        folder.delete_folder(missing_ok=False)
    with pytest.raises(ValueError, match="bucket"):
        resolve("s3://bucket").delete_folder()


def test_addresses_parents_children_and_pickling(tmp_path: Path) -> None:
    landing = resolve(tmp_path / "landing")
    batch = landing.join("batch-1")
    assert batch.parent == landing and batch.name == "batch-1"
    assert batch.child_name_in(landing) == "batch-1"
    assert landing.join("a", "b").child_name_in(landing) is None  # not directly inside
    assert resolve(tmp_path / "landing-x" / "b").child_name_in(landing) is None
    assert resolve("s3a://bucket/a/b/").uri == "s3://bucket/a/b"
    assert resolve("s3://bucket/a").spark_path == "s3a://bucket/a"
    assert resolve(f"file://{tmp_path}").uri == str(tmp_path)
    assert pickle.loads(pickle.dumps(batch)) == batch
    for bad in ("gs://bucket/a", "s3://"):
        with pytest.raises(ValueError):
            resolve(bad)

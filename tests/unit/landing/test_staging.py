"""`batch` is confined to the configured landing, refused before anything of it is read; a local batch's files
may not be links leading out of it."""

from __future__ import annotations

import builtins
import io
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tasks.landing import staging
from tasks.landing.staging import BatchLocationError, local_copy, locate_batch
from tasks.landing.verification import BatchRejected
from tasks.retry import is_transient
from tasks.settings import Settings
from tasks.storage import Location
from tasks.storage import location as storage_location
from tasks.storage.location import Where
from tests.utils.batches import land_batch

S3_LANDING = "s3://bucket/landing"


class UntouchableFileSystem:
    """Stands for the landing's filesystem: any use of it (a listing, an open, a stat) fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"locate_batch used the filesystem ({name})")


def names_only_resolve(where: Where, settings: Settings | None = None) -> Location:
    """`resolve` without a filesystem (and, for S3, without settings, keys or network)."""
    if isinstance(where, Location):
        return replace(where, filesystem=UntouchableFileSystem())
    s3, path = storage_location._split(where)
    return Location(UntouchableFileSystem(), path, f"s3://{path}" if s3 else path)


@pytest.fixture(autouse=True)
def nothing_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """locate_batch may compare names (and resolve symbolic links) but never open, list or read anything.
    (`tmp_path` is made first: making it lists its parent.)"""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"read attempted: {args[:1]}")

    monkeypatch.setattr(staging, "resolve", names_only_resolve)
    for module, name in ((builtins, "open"), (io, "open"), (os, "scandir"), (os, "listdir"), (os, "open")):
        monkeypatch.setattr(module, name, refuse)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A landing folder whose batches do not exist: reading one would fail with another error."""
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


def refused(batch: str, landing: str | Path) -> BatchLocationError:
    with pytest.raises(BatchLocationError) as caught:
        locate_batch(batch, str(landing))
    assert str(caught.value).startswith("parameter `batch` ")
    return caught.value


# --- accepted forms --------------------------------------------------------------------------------------------


def test_a_folder_name_is_a_batch_under_the_landing(landing: Path) -> None:
    assert locate_batch("20260630-seed042", str(landing)).path == str(landing / "20260630-seed042")


@pytest.mark.parametrize("form", ["{landing}/b1", "{landing}/b1/", "file://{landing}/b1"])
def test_a_path_directly_inside_the_landing_is_accepted(landing: Path, form: str) -> None:
    found = locate_batch(form.format(landing=landing), str(landing))
    assert (found.path, found.name) == (str(landing / "b1"), "b1")


def test_a_relative_path_is_read_from_the_working_folder(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(landing.parent)
    assert locate_batch("landing/b1", "landing").path == str(landing / "b1")


def test_a_link_to_another_batch_of_the_landing_is_that_batch(landing: Path) -> None:
    (landing / "b1").mkdir()
    (landing / "alias").symlink_to(landing / "b1")
    assert locate_batch("alias", str(landing)).path == str(landing / "b1")


@pytest.mark.parametrize(
    ("batch", "uri"),
    [
        ("b1", "s3://bucket/landing/b1"),
        ("s3://bucket/landing/b1", "s3://bucket/landing/b1"),
        ("s3a://bucket/landing/b1/", "s3://bucket/landing/b1"),
    ],
)
def test_s3_batches_directly_under_the_prefix_are_accepted(batch: str, uri: str) -> None:
    found = locate_batch(batch, S3_LANDING)
    assert (found.uri, found.path, found.is_s3) == (uri, uri.removeprefix("s3://"), True)


def test_the_landing_may_be_a_whole_bucket() -> None:
    assert locate_batch("s3://bucket/b1", "s3://bucket").uri == "s3://bucket/b1"
    refused("s3://bucket/a/b1", "s3://bucket")


# --- refused forms -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "batch", ["..", "../b1", "{landing}/../b1", "{landing}/b1/..", "s3://bucket/landing/../x"]
)
def test_dot_dot_is_refused(landing: Path, batch: str) -> None:
    error = refused(batch.format(landing=landing), landing)
    assert "`..`" in error.problem


def test_an_absolute_path_elsewhere_is_refused(landing: Path, tmp_path: Path) -> None:
    error = refused(str(tmp_path / "elsewhere" / "b1"), landing)
    assert "not a folder directly inside the landing" in error.problem
    assert "not a folder directly inside" in refused("/etc", landing).problem


def test_a_nested_folder_or_the_landing_itself_is_refused(landing: Path) -> None:
    assert "nested in 'a'" in refused(str(landing / "a" / "b1"), landing).problem
    assert "itself" in refused(str(landing), landing).problem


@pytest.mark.parametrize("link_to", ["outside", "outside/deeper"])
def test_a_symbolic_link_leading_out_of_the_landing_is_refused(
    landing: Path, tmp_path: Path, link_to: str
) -> None:
    (tmp_path / link_to).mkdir(parents=True)
    (landing / "escape").symlink_to(tmp_path / link_to)
    for batch in ("escape", str(landing / "escape")):
        assert "symbolic link" in refused(batch, landing).problem


def test_a_symbolic_link_to_the_rejected_folder_is_refused(landing: Path) -> None:
    (landing / "_rejected").mkdir()
    (landing / "innocent").symlink_to(landing / "_rejected")
    assert "reserved" in refused("innocent", landing).problem


@pytest.mark.parametrize("batch", ["_rejected", ".staging", "{landing}/_rejected", "{landing}/.hidden"])
def test_reserved_names_are_refused(landing: Path, batch: str) -> None:
    assert "reserved folder" in refused(batch.format(landing=landing), landing).problem


def test_a_batch_inside_the_rejected_folder_is_refused(landing: Path) -> None:
    assert "reserved folder '_rejected'" in refused(str(landing / "_rejected" / "b1"), landing).problem
    refused("_rejected/b1", landing)  # relative to the working folder: not in the landing either
    assert "reserved folder '_rejected'" in refused("s3://bucket/landing/_rejected/b1", S3_LANDING).problem


def test_another_bucket_is_refused() -> None:
    assert "bucket 'other'" in refused("s3://other/landing/b1", S3_LANDING).problem


def test_a_sibling_prefix_is_refused() -> None:
    error = refused("s3://bucket/landing-evil/x", S3_LANDING)
    assert "not a folder directly inside the landing s3://bucket/landing" in error.problem
    assert "nested in 'a'" in refused("s3://bucket/landing/a/b1", S3_LANDING).problem


def test_a_location_on_other_storage_is_refused(landing: Path) -> None:
    assert "is a local path" in refused("/srv/landing/b1", S3_LANDING).problem
    assert "is an S3 location" in refused("s3://bucket/landing/b1", landing).problem


@pytest.mark.parametrize(
    ("batch", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("b1\n", "control characters"),
        ("b\x001", "control characters"),
        ("b\x851", "control characters"),
        ("x" * 1025, "longer than 1024"),
        ("s3://bucket/landing//b1", "empty or `.`"),
        ("{landing}/./b1", "empty or `.`"),
        ("https://example.com/landing/b1", "neither a local path nor an s3:// URI"),
    ],
)
def test_malformed_values_are_refused(landing: Path, batch: str, problem: str) -> None:
    assert problem in refused(batch.format(landing=landing), landing).problem


def test_the_refusal_is_a_data_error_never_retried(landing: Path) -> None:
    error = refused("../b1", landing)
    assert isinstance(error, ValueError)
    assert not is_transient(error)
    assert error.batch == "../b1"


# --- a local batch's files ----------------------------------------------------------------------------------------


def test_a_local_batch_file_linking_out_of_it_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()  # this test reads on purpose
    batch = land_batch(tmp_path / "landing", movimentos=20, associados=5)
    secret = tmp_path / "elsewhere.csv"
    secret.write_text("not part of the batch\n", encoding="utf-8")
    (batch / "movimento.csv").unlink()
    (batch / "movimento.csv").symlink_to(secret)
    problem = r"movimento\.csv: is a symbolic link leading out of the batch folder"
    with pytest.raises(BatchRejected, match=problem), local_copy(storage_location.resolve(batch)):
        pass


def test_a_local_batch_is_used_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    batch = land_batch(tmp_path / "landing", movimentos=20, associados=5)
    with local_copy(storage_location.resolve(batch)) as folder:
        assert folder == batch

"""Reading a manifest: a BOM is accepted, its size is capped, and it may only name files of its own folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.landing.manifest import (
    MANIFEST_MAX_BYTES,
    MANIFEST_NAME,
    ManifestError,
    parse_manifest,
    read_manifest,
)
from tests.utils.batches import land_batch

BOM = b"\xef\xbb\xbf"


def manifest_json(batch: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((batch / MANIFEST_NAME).read_text(encoding="utf-8"))
    return data


def test_a_manifest_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=20, associados=5)
    plain = read_manifest(batch)
    (batch / MANIFEST_NAME).write_bytes(BOM + (batch / MANIFEST_NAME).read_bytes())
    assert read_manifest(batch) == plain


def test_a_manifest_above_the_cap_is_refused_unread(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=20, associados=5)
    raw = (batch / MANIFEST_NAME).read_bytes()
    (batch / MANIFEST_NAME).write_bytes(raw[:-1] + b" " * MANIFEST_MAX_BYTES + raw[-1:])  # still valid JSON
    with pytest.raises(ManifestError, match=r"larger than the 1,048,576-byte cap"):
        read_manifest(batch)


@pytest.mark.parametrize(
    "name", ["../escape.csv", "sub/movimento.csv", "/etc/passwd", "..", ".hidden", "_x.csv", ""]
)
def test_a_manifest_naming_a_file_outside_its_folder_is_invalid(tmp_path: Path, name: str) -> None:
    batch = land_batch(tmp_path, movimentos=20, associados=5)
    data = manifest_json(batch)
    files = data["files"]
    assert isinstance(files, list)
    files[0]["name"] = name
    with pytest.raises(ManifestError, match=r"invalid manifest \(files\.0\.name"):
        parse_manifest(json.dumps(data).encode(), "m")


def test_a_manifest_listing_a_file_twice_is_invalid(tmp_path: Path) -> None:
    batch = land_batch(tmp_path, movimentos=20, associados=5)
    data = manifest_json(batch)
    files = data["files"]
    assert isinstance(files, list)
    files.append(dict(files[0], bytes=1))
    with pytest.raises(ManifestError, match="more than once"):
        parse_manifest(json.dumps(data).encode(), "m")


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe{}", b"[" * 100_000, b"[]", b'{"batch_id": 1}'])
def test_malformed_manifests_raise_manifest_error_only(raw: bytes) -> None:
    with pytest.raises(ManifestError, match=r"^m: "):
        parse_manifest(raw, "m")

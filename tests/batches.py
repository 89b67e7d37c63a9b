"""Helpers that land small batches for tests, and damage them in controlled ways."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tasks.generate.generator import GenerationConfig, generate
from tasks.landing.manifest import read_manifest, sha256_of, write_manifest
from tasks.landing.writer import write_batch

AS_OF = datetime(2026, 6, 30)


def land_batch(landing: Path, seed: int = 11, associados: int = 200, movimentos: int = 2_000) -> Path:
    config = GenerationConfig(associados=associados, movimentos=movimentos, seed=seed, as_of=AS_OF)
    return write_batch(landing, f"test-seed{seed}-m{movimentos}", generate(config), {"seed": seed})


def rewrite_file(batch_dir: Path, file_name: str, edit: Callable[[list[str]], list[str]]) -> None:
    """Edit a data file's lines and re-seal the manifest, so only the edit itself is wrong."""
    path = batch_dir / file_name
    lines = edit(path.read_text(encoding="utf-8").splitlines())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = read_manifest(batch_dir)
    entry = manifest.file(file_name)
    assert entry is not None
    entry.rows = len(lines) - 1
    entry.bytes = path.stat().st_size
    entry.sha256 = sha256_of(path)
    write_manifest(batch_dir, manifest)

"""The integration and end-to-end tests share one test database per session: two of them landing batches with the
same seed but other sizes would give the same ids other owners, which the sources' foreign keys rightly refuse.
So each literal seed of those tiers belongs to one test file."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SEED = re.compile(r"seed=(\d+)")
SEED_TUPLE = re.compile(r"for seed in \(([\d, ]+)\)")


def seeds_of(source: str) -> set[int]:
    found = {int(seed) for seed in SEED.findall(source)}
    for group in SEED_TUPLE.findall(source):
        found |= {int(seed) for seed in group.replace(" ", "").split(",") if seed}
    return found


def test_each_seed_of_the_shared_database_tiers_belongs_to_one_file() -> None:
    owners: dict[int, set[str]] = defaultdict(set)
    for tier in ("integration", "e2e"):
        for path in (TESTS / tier).rglob("test_*.py"):
            for seed in seeds_of(path.read_text(encoding="utf-8")):
                owners[seed].add(path.name)
    shared = {seed: sorted(files) for seed, files in owners.items() if len(files) > 1}
    assert owners and not shared, f"seeds landed by more than one test file: {shared}"


def test_the_scan_finds_seeds_in_both_forms() -> None:
    source = "land_batch(x, seed=201, movimentos=3)\n[land(seed=seed) for seed in (7, 8)]"
    assert seeds_of(source) == {201, 7, 8}

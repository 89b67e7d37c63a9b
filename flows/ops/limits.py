"""`make pools` applies deploy/concurrency_limits.yaml: each global concurrency limit is created, or set to its
declared slots and activated, by name. Idempotent; limits not declared are left alone."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
from prefect.exceptions import ObjectNotFound

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "deploy" / "concurrency_limits.yaml"


@dataclass(frozen=True)
class LimitSpec:
    name: str
    limit: int


def read_limits(path: Path = DEFAULT_FILE) -> list[LimitSpec]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = [LimitSpec(name=str(entry["name"]), limit=int(entry["limit"])) for entry in data["limits"]]
    names = [spec.name for spec in specs]
    if len(names) != len(set(names)):
        raise ValueError(f"{path}: a limit is declared twice")
    return specs


def apply_limit(client: SyncPrefectClient, spec: LimitSpec) -> str:
    """Create or update one limit; returns what was done ("created", "updated" or "unchanged")."""
    try:
        current = client.read_global_concurrency_limit_by_name(spec.name)
    except ObjectNotFound:
        client.create_global_concurrency_limit(
            GlobalConcurrencyLimitCreate(name=spec.name, limit=spec.limit, active=True)
        )
        return "created"
    if current.limit == spec.limit and current.active:
        return "unchanged"
    client.update_global_concurrency_limit(
        spec.name, GlobalConcurrencyLimitUpdate(limit=spec.limit, active=True)
    )
    return "updated"


def apply_limits(path: Path = DEFAULT_FILE) -> dict[str, str]:
    specs = read_limits(path)
    with get_client(sync_client=True) as client:
        return {spec.name: apply_limit(client, spec) for spec in specs}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.ops.limits", description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="the limits (YAML)")
    args = parser.parse_args(argv)
    for name, outcome in apply_limits(args.file).items():
        print(f"global concurrency limit {name}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Delete rejected batches once kept long enough:
`python -m tasks.landing.purge [--older-than-days N] [--landing URI] [--dry-run]`.

A batch the load rejects is kept under `<landing>/_rejected/<batch>/` with `_rejection.json` for inspection
(tasks/landing/rejection.py). It may hold the personal data it was rejected for, so it is kept only
`SICOOP_REJECTED_RETENTION_DAYS` days (default 30): this deletes every rejected batch whose `rejected_at` is older
than N days, on a folder or an S3 landing alike. A rejected batch whose `_rejection.json` is missing or
unreadable has no known age: it is never deleted, only reported, for a person to look at.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tasks.landing.rejection import REASON_FILE, REJECTED_DIR
from tasks.settings import get_settings
from tasks.storage import Location, resolve


@dataclass(frozen=True)
class RejectedBatch:
    location: Location
    rejected_at: datetime | None
    problem: str | None = None  # why `rejected_at` is unknown


@dataclass
class PurgeReport:
    deleted: list[RejectedBatch] = field(default_factory=list)
    kept: list[RejectedBatch] = field(default_factory=list)
    undated: list[RejectedBatch] = field(default_factory=list)


def rejected_at(batch: Location) -> datetime:
    """When `batch` was rejected, from its `_rejection.json` (a time without a zone is taken as UTC)."""
    record = json.loads(batch.join(REASON_FILE).read_bytes())
    if not isinstance(record, dict) or not isinstance(record.get("rejected_at"), str):
        raise ValueError(f'{REASON_FILE} has no "rejected_at" string')
    when = datetime.fromisoformat(record["rejected_at"])
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def rejected_batches(landing: Location | str) -> list[RejectedBatch]:
    """Every folder under `<landing>/_rejected/`, with its rejection time when it can be read."""
    found = []
    for batch in resolve(landing).join(REJECTED_DIR).list_folders():
        if not batch.join(REASON_FILE).exists():
            found.append(RejectedBatch(batch, None, f"no {REASON_FILE}"))
            continue
        try:
            found.append(RejectedBatch(batch, rejected_at(batch)))
        except (OSError, UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
            found.append(RejectedBatch(batch, None, f"unreadable {REASON_FILE} ({type(error).__name__})"))
    return found


def purge_rejected(
    landing: Location | str, older_than_days: int, *, dry_run: bool = False, now: datetime | None = None
) -> PurgeReport:
    """Delete the rejected batches of `landing` rejected more than `older_than_days` days before `now`."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    report = PurgeReport()
    for batch in rejected_batches(landing):
        if batch.rejected_at is None:
            report.undated.append(batch)
        elif batch.rejected_at < cutoff:
            if not dry_run:
                batch.location.delete_folder()
            report.deleted.append(batch)
        else:
            report.kept.append(batch)
    return report


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m tasks.landing.purge",
        description=f"Delete the rejected batches (<landing>/{REJECTED_DIR}/<batch>/) rejected more than N days "
        f"ago, by the rejected_at of their {REASON_FILE}.",
    )
    parser.add_argument(
        "--older-than-days",
        type=int,
        default=settings.rejected_retention_days,
        metavar="N",
        help="retention in days (default SICOOP_REJECTED_RETENTION_DAYS, "
        f"now {settings.rejected_retention_days})",
    )
    parser.add_argument(
        "--landing",
        default=settings.landing_dir,
        help=f"landing folder or s3://bucket/prefix (default SICOOP_LANDING_DIR, now {settings.landing_dir})",
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    if args.older_than_days < 0:
        parser.error("--older-than-days must be 0 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    landing = resolve(args.landing)
    report = purge_rejected(landing, args.older_than_days, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for batch in report.deleted:
        assert batch.rejected_at is not None
        print(
            f"{verb} {batch.location.uri} (rejected {batch.rejected_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
        )
    for batch in report.undated:
        print(
            f"kept {batch.location.uri}: {batch.problem}, so its age is unknown; inspect it", file=sys.stderr
        )
    print(
        f"{landing.join(REJECTED_DIR).uri}: {len(report.deleted)} {verb}, {len(report.kept)} kept (rejected "
        f"within {args.older_than_days} days), {len(report.undated)} of unknown age"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

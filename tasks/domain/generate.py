"""Write the contract's generated snapshots: `sql/postgres/001_schema.sql` and `sql/mongodb/movimento.json`.

    uv run python -m tasks.domain.generate           # rewrite them after a change to tasks/domain/tables.py
    uv run python -m tasks.domain.generate --check   # exit 1 when a snapshot is stale (the tests check it too)

The snapshots are what a reviewer reads and what a DBA applies by hand; the pipeline applies the same text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tasks.domain.render.mongodb import collection_spec
from tasks.domain.render.postgres import schema_sql
from tasks.domain.tables import EXTRACT_CARTAO, MOVIMENTO, TABLES

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_DDL = ROOT / "sql" / "postgres" / "001_schema.sql"
MONGODB_SPEC = ROOT / "sql" / "mongodb" / "movimento.json"


def snapshots() -> dict[Path, str]:
    """Each generated file and the text it must hold."""
    return {
        POSTGRES_DDL: schema_sql((*TABLES, EXTRACT_CARTAO)),
        MONGODB_SPEC: json.dumps(collection_spec(MOVIMENTO), ensure_ascii=False, indent=2) + "\n",
    }


def stale() -> list[Path]:
    return [
        path for path, text in snapshots().items() if not path.is_file() or path.read_text("utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only report stale snapshots")
    args = parser.parse_args(argv)
    if args.check:
        for path in stale():
            print(f"stale: {path.relative_to(ROOT)} (run python -m tasks.domain.generate)", file=sys.stderr)
        return 1 if stale() else 0
    for path, text in snapshots().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

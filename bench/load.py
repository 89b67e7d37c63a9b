"""The load stage's parts, timed on one fresh batch (default 1,000,000 movimentos, 50,000 associados).

    uv run python -m bench.load [--movimentos N] [--associados N]

Reading and verifying the landed files, the source suites, the PostgreSQL load and the MongoDB load, each timed
alone against the bench databases of the local services (`make services`), emptied first. The same command, run on an older
checkout (the functions it calls have kept their names), gives the figures before a change side by side.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from dotenv import dotenv_values

BENCH_MONGO_DATABASE = "sicooperative_bench"


def empty_stores(dsn: str, uri: str) -> None:
    import psycopg2

    from tasks.clients.mongo import mongo_client

    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('associado') IS NOT NULL")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("TRUNCATE associado, conta, cartao, extract_cartao CASCADE")
    with mongo_client(uri) as client:
        client.drop_database(BENCH_MONGO_DATABASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=977)
    args = parser.parse_args()

    from tasks.generate.generator import GenerationConfig, generate
    from tasks.landing.verification import verify_batch
    from tasks.landing.writer import write_batch
    from tasks.load.mongo import load_mongo
    from tasks.load.postgres import load_postgres
    from tasks.load.source_suites import check_sources

    local = {key: value for key, value in dotenv_values(".local/services.env").items() if value}
    dsn, uri = local["SICOOP_BENCH_POSTGRES_DSN"], local["SICOOP_MONGO_URI"]
    empty_stores(dsn, uri)  # every run on empty stores: a re-load of known ids takes another path
    with tempfile.TemporaryDirectory(prefix="sicoop-bench-load-") as work:
        config = GenerationConfig(associados=args.associados, movimentos=args.movimentos, seed=args.seed)
        batch_dir = write_batch(Path(work), f"bench-load-{time.time_ns()}", generate(config), {})
        size = sum(path.stat().st_size for path in batch_dir.iterdir())
        seconds: dict[str, float] = {}

        started = time.perf_counter()
        batch = verify_batch(batch_dir)
        seconds["read + verify"] = time.perf_counter() - started
        started = time.perf_counter()
        check_sources(batch.tables, datetime.now(UTC).replace(tzinfo=None))
        seconds["source suites"] = time.perf_counter() - started
        started = time.perf_counter()
        load_postgres(dsn, batch)
        seconds["postgres"] = time.perf_counter() - started
        started = time.perf_counter()
        load_mongo(uri, BENCH_MONGO_DATABASE, batch, 50_000)
        seconds["mongodb"] = time.perf_counter() - started

    print(
        f"load of {args.movimentos:,} movimentos, {args.associados:,} associados ({size / 1e6:,.0f} MB landed)"
    )
    for part, value in seconds.items():
        print(f"  {part:<15} {value:8.2f} s")
    print(f"  {'total':<15} {sum(seconds.values()):8.2f} s")


if __name__ == "__main__":
    main()

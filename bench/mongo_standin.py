"""The local MongoDB stand-in (mongo-java-server) measured apart from the pipeline: its costs are its own, not
MongoDB's, and they decide which configuration local runs use.

    uv run python -m bench.mongo_standin [--movimentos 200000] [--history 200000]

For each store (plain in-memory objects, H2 in memory, H2 file), on a server of its own:
- insert: the loader's bulk inserts at several chunk sizes (documents per insert_many);
- read: with `--history` documents of earlier batches already in the collection, the batch read two ways: one
  aggregate `$match` on batch_id (what a range read does: the stand-in scans the whole collection for it), and
  the extract plan (`$lookup` on the unique id index, what the pipeline does).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STORES = ("memory", "h2-memory", "file")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(store: str, scratch: Path) -> Iterator[str]:
    port = free_port()
    env = os.environ | {
        "MONGO_JAVA_SERVER_PORT": str(port),
        "MONGO_JAVA_SERVER_STORE": store,
        "MONGO_JAVA_SERVER_DATA_DIR": str(scratch / f"data-{store}"),
        "MONGO_JAVA_SERVER_PID_FILE": str(scratch / f"{store}.pid"),
        "MONGO_JAVA_SERVER_LOG_FILE": str(scratch / f"{store}.log"),
    }
    scripts = REPO / "scripts" / "services"
    subprocess.run(
        ["bash", str(scripts / "start_mongo_java_server.sh")], env=env, check=True, capture_output=True
    )
    try:
        yield f"mongodb://127.0.0.1:{port}/"
    finally:
        subprocess.run(
            ["bash", str(scripts / "stop_mongo_java_server.sh")], env=env, check=True, capture_output=True
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=200_000)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--stores", nargs="*", default=list(STORES))
    args = parser.parse_args()

    from tasks.clients.mongo import mongo_client
    from tasks.generate.generator import GenerationConfig, generate
    from tasks.landing.verification import VerifiedBatch, verify_batch
    from tasks.landing.writer import write_batch
    from tasks.load.mongo import load_mongo

    with tempfile.TemporaryDirectory(prefix="sicoop-mongo-bench-") as work:
        scratch = Path(work)

        def batch(seed: int, movimentos: int) -> VerifiedBatch:
            config = GenerationConfig(associados=1_000, movimentos=movimentos, seed=seed)
            return verify_batch(
                write_batch(scratch / "landing", f"b{seed}", generate(config), {"seed": seed})
            )

        history = batch(1, args.history) if args.history else None
        current = batch(2, args.movimentos)
        print(f"{args.movimentos:,} movimentos, {args.history:,} already in the collection")
        for store in args.stores:
            with server(store, scratch) as uri:
                for chunk in (1_000, 5_000, 20_000):
                    database = f"bench_{chunk}"
                    started = time.perf_counter()
                    load_mongo(uri, database, current, chunk_rows=chunk)
                    seconds = time.perf_counter() - started
                    print(
                        f"  {store:<10} insert, {chunk:>6} per insert_many {seconds:7.2f} s "
                        f"({args.movimentos / seconds:,.0f} documents/s)"
                    )
                    with mongo_client(uri) as client:
                        client.drop_database(database)
                if history is not None:
                    load_mongo(uri, "bench_read", history, chunk_rows=5_000)
                load_mongo(uri, "bench_read", current, chunk_rows=5_000)
                with mongo_client(uri) as client:
                    collection = client["bench_read"]["movimento"]
                    started = time.perf_counter()
                    scanned = sum(
                        1 for _ in collection.aggregate([{"$match": {"batch_id": "b2"}}], batchSize=10_000)
                    )
                    scan_seconds = time.perf_counter() - started
                    started = time.perf_counter()
                    planned = 0
                    from tasks.extract.mongo import part_pipeline, plan_parts

                    plan = client["bench_read"]["movimento_extract"]
                    for part in plan_parts(uri, "bench_read", "b2"):
                        planned += sum(1 for _ in plan.aggregate(part_pipeline(part)))
                    plan_seconds = time.perf_counter() - started
                print(
                    f"  {store:<10} read by $match (scans all)   {scan_seconds:7.2f} s  {scanned:,} documents"
                )
                print(
                    f"  {store:<10} read by the extract plan    {plan_seconds:7.2f} s  {planned:,} documents"
                )


if __name__ == "__main__":
    main()

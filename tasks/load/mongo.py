"""Load movimento into MongoDB with bulk upserts keyed on id (idempotent: a re-load modifies nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from bson.decimal128 import Decimal128
from pymongo import ASCENDING, MongoClient, ReplaceOne
from pymongo.collection import Collection

from tasks.landing.verification import VerifiedBatch

COLLECTION_SPEC = Path(__file__).resolve().parents[2] / "sql" / "mongodb" / "movimento.json"


@dataclass(frozen=True)
class MongoUpsertCount:
    inserted: int
    updated: int


def ensure_indexes(collection: Collection[dict[str, Any]]) -> None:
    """Create the indexes declared in sql/mongodb/movimento.json (a no-op when they exist)."""
    spec = json.loads(COLLECTION_SPEC.read_text(encoding="utf-8"))
    for index in spec["indexes"]:
        collection.create_index(
            [(field, ASCENDING if direction == 1 else -1) for field, direction in index["keys"]],
            name=index["name"],
            unique=index.get("unique", False),
        )


def _documents(movimento: pa.Table, batch_id: str, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    for record_batch in movimento.to_batches(max_chunksize=chunk_rows):
        rows = record_batch.to_pylist()
        for row in rows:
            row["vlr_transacao"] = Decimal128(row["vlr_transacao"])
            row["batch_id"] = batch_id
        yield rows


def mongo_client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, tz_aware=False, appname="sicooperative", serverSelectionTimeoutMS=10_000)


def load_mongo(uri: str, database: str, batch: VerifiedBatch, chunk_rows: int) -> MongoUpsertCount:
    inserted = updated = 0
    with mongo_client(uri) as client:
        collection = client[database]["movimento"]
        ensure_indexes(collection)
        for documents in _documents(batch.tables["movimento"], batch.batch_id, chunk_rows):
            result = collection.bulk_write(
                [ReplaceOne({"id": document["id"]}, document, upsert=True) for document in documents],
                ordered=False,
            )
            inserted += result.upserted_count
            updated += result.modified_count
    return MongoUpsertCount(inserted=inserted, updated=updated)

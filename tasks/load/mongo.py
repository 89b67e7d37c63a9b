"""Load movimento into MongoDB in bulk, keyed on id (idempotent: a re-load inserts and modifies nothing)."""

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
from pymongo.errors import BulkWriteError

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


def _upsert_chunk(collection: Collection[dict[str, Any]], documents: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert new ids in bulk, replace only the ids whose content changed; identical documents are left alone.

    Cheaper than one upsert per document on every server (an insert needs no lookup), and equivalent:
    a concurrent writer that inserts the same id first turns our insert into a duplicate-key error, which
    falls back to an upsert.
    """
    projection = {"_id": False}
    existing = {
        doc["id"]: doc for doc in collection.find({"id": {"$in": [d["id"] for d in documents]}}, projection)
    }
    new = [doc for doc in documents if doc["id"] not in existing]
    changed = [doc for doc in documents if doc["id"] in existing and existing[doc["id"]] != doc]
    inserted = 0
    if new:
        try:
            inserted = len(collection.insert_many(new, ordered=False).inserted_ids)
        except BulkWriteError as error:
            duplicates = {
                e["op"]["id"] for e in error.details.get("writeErrors", []) if e.get("code") == 11000
            }
            if len(duplicates) != len(error.details.get("writeErrors", [])):
                raise
            inserted = error.details.get("nInserted", 0)
            changed += [doc for doc in new if doc["id"] in duplicates]
    updated = 0
    if changed:
        result = collection.bulk_write(
            [ReplaceOne({"id": doc["id"]}, doc, upsert=True) for doc in changed], ordered=False
        )
        inserted += result.upserted_count
        updated = result.modified_count
    return inserted, updated


def load_mongo(uri: str, database: str, batch: VerifiedBatch, chunk_rows: int) -> MongoUpsertCount:
    """Idempotent load keyed on id: loading the same batch twice inserts and modifies nothing."""
    inserted = updated = 0
    with mongo_client(uri) as client:
        collection = client[database]["movimento"]
        ensure_indexes(collection)
        for documents in _documents(batch.tables["movimento"], batch.batch_id, chunk_rows):
            chunk_inserted, chunk_updated = _upsert_chunk(collection, documents)
            inserted += chunk_inserted
            updated += chunk_updated
    return MongoUpsertCount(inserted=inserted, updated=updated)

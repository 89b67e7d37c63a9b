"""Load movimento into MongoDB in bulk, keyed on id (idempotent: a re-load inserts and modifies nothing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from bson.decimal128 import Decimal128
from bson.errors import BSONError
from pymongo import ASCENDING, MongoClient, ReplaceOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, PyMongoError

from tasks.errors import SourceError, scrub
from tasks.landing.verification import VerifiedBatch

COLLECTION_SPEC = Path(__file__).resolve().parents[2] / "sql" / "mongodb" / "movimento.json"
COLLECTION = "movimento"
DUPLICATE_KEY = 11000


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


def _documents(
    movimento: pa.Table, batch_id: str, chunk_rows: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Chunks of (1-based data row, document): the row number lets a failed write be named without its data."""
    first_row = 1
    for record_batch in movimento.to_batches(max_chunksize=chunk_rows):
        rows = record_batch.to_pylist()
        for row in rows:
            row["vlr_transacao"] = Decimal128(row["vlr_transacao"])
            row["batch_id"] = batch_id
        yield list(enumerate(rows, start=first_row))
        first_row += len(rows)


def mongo_client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, tz_aware=False, appname="sicooperative", serverSelectionTimeoutMS=10_000)


def _scrubbed_bulk_error(error: BulkWriteError, rows: list[int]) -> SourceError:
    """Count, codes, index names and data rows of the failed writes; `op` and `errmsg` quote documents and keys."""
    return scrub(error, stage="load", source="mongodb", table=COLLECTION, rows=rows)


def _upsert_chunk(
    collection: Collection[dict[str, Any]], numbered: list[tuple[int, dict[str, Any]]]
) -> tuple[int, int]:
    """Insert new ids in bulk, replace only the ids whose content changed; identical documents are left alone.

    Cheaper than one upsert per document on every server (an insert needs no lookup), and equivalent:
    a concurrent writer that inserts the same id first turns our insert into a duplicate-key error, which
    falls back to an upsert.
    """
    projection = {"_id": False}
    existing = {
        doc["id"]: doc for doc in collection.find({"id": {"$in": [d["id"] for _, d in numbered]}}, projection)
    }
    new = [(row, doc) for row, doc in numbered if doc["id"] not in existing]
    changed = [(row, doc) for row, doc in numbered if doc["id"] in existing and existing[doc["id"]] != doc]
    failure: SourceError | None = None
    inserted = 0
    if new:
        try:
            inserted = len(collection.insert_many([doc for _, doc in new], ordered=False).inserted_ids)
        except BulkWriteError as error:
            write_errors = error.details.get("writeErrors") or []
            duplicates = [
                new[index]
                for e in write_errors
                if e.get("code") == DUPLICATE_KEY
                and isinstance(index := e.get("index"), int)
                and 0 <= index < len(new)
            ]
            if len(duplicates) == len(write_errors):
                inserted = error.details.get("nInserted", 0)
                changed += duplicates
            else:
                failure = _scrubbed_bulk_error(error, [row for row, _ in new])
        if failure is not None:
            raise failure  # outside the except block: nothing chains back to the documents
    updated = 0
    if changed:
        try:
            result = collection.bulk_write(
                [ReplaceOne({"id": doc["id"]}, doc, upsert=True) for _, doc in changed], ordered=False
            )
        except BulkWriteError as error:
            failure = _scrubbed_bulk_error(error, [row for row, _ in changed])
        if failure is not None:
            raise failure
        inserted += result.upserted_count
        updated = result.modified_count
    return inserted, updated


def _load(uri: str, database: str, batch: VerifiedBatch, chunk_rows: int) -> MongoUpsertCount:
    inserted = updated = 0
    with mongo_client(uri) as client:
        collection = client[database][COLLECTION]
        ensure_indexes(collection)
        for numbered in _documents(batch.tables["movimento"], batch.batch_id, chunk_rows):
            chunk_inserted, chunk_updated = _upsert_chunk(collection, numbered)
            inserted += chunk_inserted
            updated += chunk_updated
    return MongoUpsertCount(inserted=inserted, updated=updated)


def load_mongo(uri: str, database: str, batch: VerifiedBatch, chunk_rows: int) -> MongoUpsertCount:
    """Idempotent load keyed on id: loading the same batch twice inserts and modifies nothing.

    Driver errors leave scrubbed (`tasks.errors`): collection, row, class, code and index, never a value.
    """
    try:
        return _load(uri, database, batch, chunk_rows)
    except (PyMongoError, BSONError) as error:
        failure = scrub(error, stage="load", source="mongodb", table=COLLECTION)
    raise failure

"""Load movimento into MongoDB in bulk, keyed on id (idempotent: a re-load inserts and modifies nothing).

The load also writes the batch's extract plan (`movimento_extract`): its movimento ids in parts sized so that
one part's documents fit a reply well under the wire protocol's limit (48 MB), whatever the batch's size, each
part spread over small documents of PLAN_IDS_PER_DOCUMENT ids. A movimento's `_id` is its id (the natural
key: no generated ObjectId, one unique index), so the extract reads each part with a `$lookup` by `_id`: the
server touches only the batch's documents, and a cancelled read stops after the part in flight.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import bson
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from bson.decimal128 import Decimal128
from bson.errors import BSONError
from pymongo import ASCENDING, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, CollectionInvalid, PyMongoError

from tasks.clients.mongo import mongo_client
from tasks.domain.render.mongodb import collection_spec
from tasks.domain.tables import EXTRACT_PLAN, MOVIMENTO
from tasks.errors import SourceError, scrub
from tasks.landing.verification import VerifiedBatch

COLLECTION = MOVIMENTO.name
# An aggregation's $unwind copies the whole document once per array element (a wire-compatible server copies
# deeply): small plan documents keep that linear.
PLAN_IDS_PER_DOCUMENT = 16
DUPLICATE_KEY = 11000
_DECIMAL_EXPONENT_BIAS = 6176
_SIGN_BIT = np.uint64(1) << np.uint64(63)


@dataclass(frozen=True)
class MongoUpsertCount:
    inserted: int
    updated: int
    extract_parts: int = 0


def ensure_collection(database: Database[dict[str, Any]]) -> Collection[dict[str, Any]]:
    """The collection as the contract specifies it: created with its validator when missing (an existing
    collection keeps the validator it has: changing one is a migration), then its indexes (no-ops when they
    exist)."""
    spec = collection_spec(MOVIMENTO)
    if COLLECTION not in database.list_collection_names(filter={"name": COLLECTION}):
        with suppress(CollectionInvalid):  # created meanwhile by a concurrent load
            database.create_collection(COLLECTION, validator=spec["validator"])
    collection = database[COLLECTION]
    for index in spec["indexes"]:
        collection.create_index(
            [(field, ASCENDING if direction == 1 else -1) for field, direction in index["keys"]],
            name=index["name"],
            unique=index.get("unique", False),
        )
    return collection


def decimal128_values(amounts: pa.Array) -> list[Decimal128]:
    """decimal(12,2) amounts as BSON Decimal128, built from their IEEE 754 BID encoding in one vectorised step
    (the coefficient is the amount in cents, the exponent -2): about four times faster than one Decimal128 per
    Python Decimal."""
    cents = pc.cast(pc.multiply(pc.cast(amounts, pa.decimal128(14, 2)), 100), pa.int64()).to_numpy(
        zero_copy_only=False
    )
    words = np.empty((len(cents), 2), dtype="<u8")
    words[:, 0] = np.abs(cents).astype(np.uint64)  # the coefficient: 64 low bits (amounts fit in them)
    words[:, 1] = np.uint64((_DECIMAL_EXPONENT_BIAS - 2) << 49) | np.where(cents < 0, _SIGN_BIT, np.uint64(0))
    raw = words.tobytes()
    return [Decimal128.from_bid(raw[at : at + 16]) for at in range(0, len(raw), 16)]


def _documents(
    movimento: pa.Table, batch_id: str, chunk_rows: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """Chunks of (1-based data row, document): the row number lets a failed write be named without its data."""
    first_row = 1
    for record_batch in movimento.to_batches(max_chunksize=chunk_rows):
        rows = record_batch.to_pylist()
        amounts = decimal128_values(record_batch.column("vlr_transacao"))
        for row, amount in zip(rows, amounts, strict=True):
            row["_id"] = row["id"]  # the natural key: no generated ObjectId, one index fewer to keep
            row["vlr_transacao"] = amount
            row["batch_id"] = batch_id
        yield list(enumerate(rows, start=first_row))
        first_row += len(rows)


def _scrubbed_bulk_error(error: BulkWriteError, rows: list[int]) -> SourceError:
    """Count, codes, index names and data rows of the failed writes; `op` and `errmsg` quote documents and keys."""
    return scrub(error, stage="load", source="mongodb", table=COLLECTION, rows=rows)


def _upsert_chunk(
    collection: Collection[dict[str, Any]], numbered: list[tuple[int, dict[str, Any]]]
) -> tuple[int, int]:
    """Insert the chunk in bulk; the ids the server already holds (duplicate-key errors) are compared with
    what it holds and replaced only where their content changed, so identical documents are left alone.

    A new batch costs one bulk insert per chunk (no lookup first); a re-run costs a lookup of the chunk's ids.
    """
    failure: SourceError | None = None
    existing_ids: list[int] = []
    try:
        collection.insert_many([doc for _, doc in numbered], ordered=False)
    except BulkWriteError as error:
        write_errors = error.details.get("writeErrors") or []
        duplicates = [
            numbered[index][1]["id"]
            for e in write_errors
            if e.get("code") == DUPLICATE_KEY
            and isinstance(index := e.get("index"), int)
            and 0 <= index < len(numbered)
        ]
        if len(duplicates) == len(write_errors):
            existing_ids = duplicates
        else:
            failure = _scrubbed_bulk_error(error, [row for row, _ in numbered])
    if failure is not None:
        raise failure  # outside the except block: nothing chains back to the documents
    inserted = len(numbered) - len(existing_ids)
    if not existing_ids:
        return inserted, 0
    existing = {doc["_id"]: doc for doc in collection.find({"_id": {"$in": existing_ids}})}
    wanted = set(existing_ids)
    changed = [(row, doc) for row, doc in numbered if doc["id"] in wanted and existing.get(doc["id"]) != doc]
    updated = 0
    if changed:
        try:
            result = collection.bulk_write(
                [ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for _, doc in changed], ordered=False
            )
        except BulkWriteError as error:
            failure = _scrubbed_bulk_error(error, [row for row, _ in changed])
        if failure is not None:
            raise failure
        inserted += result.upserted_count
        updated = result.modified_count
    return inserted, updated


def part_size(document_bytes: float, reply_bytes: int) -> int:
    """Documents per extract part: as many as fit `reply_bytes`, at least one."""
    return max(1, int(reply_bytes // max(document_bytes, 1.0)))


def write_extract_plan(
    database: Database[dict[str, Any]], batch_id: str, ids: list[int], rows_per_part: int
) -> int:
    """Replace the batch's extract plan: its ids in order, `rows_per_part` to a part, written as small documents
    (PLAN_IDS_PER_DOCUMENT ids each) so unwinding one costs little; returns the number of parts."""
    plan = database[EXTRACT_PLAN]
    plan.create_index([("part", ASCENDING)], name="movimento_extract_part_ix")  # MongoDB reads a part by it
    plan.delete_many({"batch_id": batch_id})
    created = datetime.now(UTC)
    documents = []
    for number, start in enumerate(range(0, len(ids), rows_per_part)):
        part_ids = ids[start : start + rows_per_part]
        for offset in range(0, len(part_ids), PLAN_IDS_PER_DOCUMENT):
            documents.append(
                {
                    "_id": f"{batch_id}#{number:06d}#{offset // PLAN_IDS_PER_DOCUMENT:06d}",
                    "batch_id": batch_id,
                    "part": f"{batch_id}#{number:06d}",
                    "created_at": created,
                    "ids": part_ids[offset : offset + PLAN_IDS_PER_DOCUMENT],
                }
            )
    for start in range(0, len(documents), 1_000):
        plan.insert_many(documents[start : start + 1_000], ordered=True)
    return -(-len(ids) // rows_per_part) if ids else 0


def _load(
    uri: str, database: str, batch: VerifiedBatch, chunk_rows: int, reply_bytes: int
) -> MongoUpsertCount:
    inserted = updated = 0
    document_bytes = 0.0
    with mongo_client(uri) as client:
        collection = ensure_collection(client[database])
        for numbered in _documents(batch.tables["movimento"], batch.batch_id, chunk_rows):
            if not document_bytes:  # the size of a document, as the server will send it back
                sample = [doc for _, doc in numbered[:100]]
                document_bytes = sum(len(bson.encode(doc)) for doc in sample) / max(len(sample), 1) + 64
            chunk_inserted, chunk_updated = _upsert_chunk(collection, numbered)
            inserted += chunk_inserted
            updated += chunk_updated
        ids = sorted(pc.unique(batch.tables["movimento"]["id"]).to_pylist())
        parts = write_extract_plan(
            client[database], batch.batch_id, ids, part_size(document_bytes, reply_bytes)
        )
    return MongoUpsertCount(inserted=inserted, updated=updated, extract_parts=parts)


def load_mongo(
    uri: str, database: str, batch: VerifiedBatch, chunk_rows: int, reply_bytes: int = 8 << 20
) -> MongoUpsertCount:
    """Idempotent load keyed on id: loading the same batch twice inserts and modifies nothing.

    Driver errors leave scrubbed (`tasks.errors`): collection, row, class, code and index, never a value.
    """
    try:
        return _load(uri, database, batch, chunk_rows, reply_bytes)
    except (PyMongoError, BSONError) as error:
        failure = scrub(error, stage="load", source="mongodb", table=COLLECTION)
    raise failure

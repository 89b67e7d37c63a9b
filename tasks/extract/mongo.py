"""Read one batch's movimentos from MongoDB with the MongoDB Spark connector, one part of its extract plan per
Spark partition.

The load wrote the plan (`movimento_extract`): the batch's ids in parts sized to fit a reply. Each part is its
own connector read of a short pipeline on the plan collection: `$match` the part's documents, `$unwind` their
ids, `$lookup` each in `movimento` by `_id` (the movimento's id), `$replaceRoot`. The server touches only the batch's documents
(on MongoDB and on a wire-compatible server alike: aggregations there scan their collection, and the plan
collection is tiny), no reply exceeds the protocol's limit whatever the batch's size, and a cancelled read stops
after the part in flight. The plan is deleted once the batch is extracted. Driver errors (pymongo, the
connector through Spark) leave scrubbed by `tasks.errors`: collection, field, class and code, never a value.
"""

from __future__ import annotations

import json
from functools import reduce
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from tasks.clients.mongo import mongo_client
from tasks.domain.render.spark import extract_schema
from tasks.domain.tables import EXTRACT_PLAN, MOVIMENTO
from tasks.errors import call_scrubbed

MOVIMENTO_SCHEMA = extract_schema(MOVIMENTO)
SINGLE_PARTITION = "com.mongodb.spark.sql.connector.read.partitioner.SinglePartitionPartitioner"


def plan_parts(uri: str, database: str, batch_id: str) -> list[str]:
    """The keys of the batch's extract plan parts, in order."""

    def find() -> list[str]:
        with mongo_client(uri) as client:
            found = client[database][EXTRACT_PLAN].find({"batch_id": batch_id}, {"part": 1})
            return sorted({str(document["part"]) for document in found})

    return call_scrubbed(find, stage="extract", source="mongodb", table=EXTRACT_PLAN)


def part_pipeline(part: str) -> list[dict[str, Any]]:
    return [
        {"$match": {"part": part}},
        {"$unwind": "$ids"},
        {"$lookup": {"from": "movimento", "localField": "ids", "foreignField": "_id", "as": "m"}},
        {"$unwind": "$m"},
        {"$replaceRoot": {"newRoot": "$m"}},
    ]


def read_movimento(spark: SparkSession, uri: str, database: str, batch_id: str) -> DataFrame:
    """The batch's movimentos: one Spark partition per part of its extract plan."""

    def read_part(part: str) -> DataFrame:
        return call_scrubbed(
            lambda: (
                spark.read.format("mongodb")
                .option("connection.uri", uri)
                .option("database", database)
                .option("collection", EXTRACT_PLAN)
                .option("partitioner", SINGLE_PARTITION)
                .option("aggregation.pipeline", json.dumps(part_pipeline(part)))
                .schema(MOVIMENTO_SCHEMA)
                .load()
            ),
            stage="extract",
            source="mongodb",
            table="movimento",
        )

    parts = plan_parts(uri, database, batch_id)
    if not parts:
        return spark.createDataFrame([], MOVIMENTO_SCHEMA)
    return reduce(DataFrame.unionByName, [read_part(part) for part in parts])


def forget_plan(uri: str, database: str, batch_id: str) -> None:
    """Delete the batch's extract plan once its movimentos are extracted."""

    def delete() -> None:
        with mongo_client(uri) as client:
            client[database][EXTRACT_PLAN].delete_many({"batch_id": batch_id})

    call_scrubbed(delete, stage="extract", source="mongodb", table=EXTRACT_PLAN)

"""Read one batch's movimentos from MongoDB with the MongoDB Spark connector, in parallel id ranges.

Each range is its own connector read with a `$match` pipeline pushed down to the server, and the ranges are
unioned: N ranges give N Spark partitions read concurrently by the executors. This needs only `$match` from the
server (no `$sample`, `collStats` or `splitVector`), so it behaves the same on MongoDB, Atlas or a wire-compatible
server. Range bounds come from one `$group` aggregate on the indexed (batch_id, id). Driver errors (pymongo, the
connector through Spark) leave scrubbed by `tasks.errors`: collection, field, class and code, never a value.
"""

from __future__ import annotations

import json
from functools import reduce
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    DecimalType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from tasks.domain.tables import DECIMAL_PRECISION, DECIMAL_SCALE
from tasks.errors import call_scrubbed
from tasks.extract.ranges import split_range
from tasks.load.mongo import mongo_client

MOVIMENTO_SCHEMA = StructType(
    [
        StructField("id", LongType(), nullable=False),
        StructField("vlr_transacao", DecimalType(DECIMAL_PRECISION, DECIMAL_SCALE)),
        StructField("des_transacao", StringType()),
        StructField("tipo_transacao", StringType()),
        StructField("data_movimento", TimestampType()),
        StructField("id_cartao", LongType()),
        StructField("batch_id", StringType()),
    ]
)
SINGLE_PARTITION = "com.mongodb.spark.sql.connector.read.partitioner.SinglePartitionPartitioner"


def batch_id_bounds(uri: str, database: str, batch_id: str) -> tuple[int, int] | None:
    """(min id, max id) of the batch's movimentos, or None when it has none."""

    def aggregate() -> list[dict[str, Any]]:
        with mongo_client(uri) as client:
            return list(
                client[database]["movimento"].aggregate(
                    [
                        {"$match": {"batch_id": batch_id}},
                        {
                            "$group": {
                                "_id": None,
                                "low": {"$min": "$id"},
                                "high": {"$max": "$id"},
                                "n": {"$sum": 1},
                            }
                        },
                    ]
                )
            )

    rows = call_scrubbed(aggregate, stage="extract", source="mongodb", table="movimento")
    if not rows:
        return None
    return int(rows[0]["low"]), int(rows[0]["high"])


def read_movimento(spark: SparkSession, uri: str, database: str, batch_id: str, partitions: int) -> DataFrame:
    bounds = batch_id_bounds(uri, database, batch_id)
    if bounds is None:
        return spark.createDataFrame([], MOVIMENTO_SCHEMA)
    low, high = bounds

    def read_range(start: int, end: int) -> DataFrame:
        pipeline = [{"$match": {"batch_id": batch_id, "id": {"$gte": start, "$lt": end}}}]
        return call_scrubbed(
            lambda: (
                spark.read.format("mongodb")
                .option("connection.uri", uri)
                .option("database", database)
                .option("collection", "movimento")
                .option("partitioner", SINGLE_PARTITION)
                .option("aggregation.pipeline", json.dumps(pipeline))
                .schema(MOVIMENTO_SCHEMA)
                .load()
            ),
            stage="extract",
            source="mongodb",
            table="movimento",
        )

    frames = [read_range(start, end) for start, end in split_range(low, high, partitions)]
    return reduce(DataFrame.unionByName, frames)

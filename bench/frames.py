"""A large `movimento_flat` built in Spark from a generated batch, with no database involved: what the gate and
the leak proof see, for benchmarks of those stages alone."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tasks.generate.generator import GenerationConfig, generate
from tasks.transform.flatten import flatten
from tasks.transform.masking import mask_sources


@dataclass(frozen=True)
class GeneratedFlat:
    tables: dict[str, pa.Table]  # the batch as landed (raw values)
    frame: DataFrame  # movimento_flat, masked, not yet computed
    total: Decimal  # sum of vlr_transacao

    @property
    def rows(self) -> int:
        return int(self.tables["movimento"].num_rows)


def generated_flat(
    spark: SparkSession, movimentos: int, associados: int = 20_000, seed: int = 902, batch_id: str = "bench"
) -> GeneratedFlat:
    tables = generate(GenerationConfig(associados=associados, movimentos=movimentos, seed=seed))
    frames = {name: spark.createDataFrame(table) for name, table in tables.items()}
    # The types extraction gives them (tasks/extract): idade int, vlr_transacao decimal(10,2).
    frames["associado"] = frames["associado"].withColumn("idade", F.col("idade").cast("int"))
    frames["movimento"] = frames["movimento"].withColumns(
        {"vlr_transacao": F.col("vlr_transacao").cast("decimal(10,2)"), "batch_id": F.lit(batch_id)}
    )
    masked = mask_sources(frames)
    flat = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    total = Decimal(str(pc.sum(pc.cast(tables["movimento"]["vlr_transacao"], pa.decimal128(12, 2))).as_py()))
    return GeneratedFlat(tables=tables, frame=flat, total=total)

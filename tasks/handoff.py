"""What one stage hands the next, through the flow: typed results, so no stage reaches into another's package.

Each holds persisted Spark frames (on the executors; the driver only sees counts) and frees them with
`release()` once the next stage has its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pyspark.sql import DataFrame


@dataclass(frozen=True)
class BatchTotals:
    """What the load counted in the landed batch, for the gate's reconciliation."""

    movimentos: int
    vlr_total: Decimal  # sum of the batch's movimento amounts, to the cent


@dataclass(frozen=True)
class Sources:
    """The extract's result: each source table's rows the batch touches."""

    frames: dict[str, DataFrame]
    rows: dict[str, int]
    partitions: dict[str, int]  # Spark partitions read per source (movimento: its extract plan's parts)

    def release(self) -> None:
        for frame in self.frames.values():
            frame.unpersist()


@dataclass(frozen=True)
class FlatTable:
    """The transform's result: movimento_flat plus the internal columns the gate checks."""

    frame: DataFrame
    rows: int

    def release(self) -> None:
        self.frame.unpersist()


@dataclass(frozen=True)
class GatedBatch:
    """The gate's verdict on the rows, for the export: what may be exported and what is set aside."""

    passed: DataFrame  # movimento_flat's columns
    quarantined: DataFrame  # movimento_flat's columns, the integrity reason and the rules broken
    quarantined_rows: int
    key_range: tuple[int, int] | None  # lowest and highest key of the batch (None: no rows)
    persisted: DataFrame  # the frame both are read from

    def release(self) -> None:
        self.persisted.unpersist()

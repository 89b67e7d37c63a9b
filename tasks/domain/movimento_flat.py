"""Names the stages use for the output table `movimento_flat`, all read from its contract (`tables.py`)."""

from __future__ import annotations

from tasks.domain.contract import Kind
from tasks.domain.tables import MOVIMENTO_FLAT, QUARANTINE

TABLE_NAME = MOVIMENTO_FLAT.name
TABLE_COMMENT = MOVIMENTO_FLAT.comment
QUARANTINE_TABLE_COMMENT = QUARANTINE.comment
KEY = MOVIMENTO_FLAT.key
ROW_HASH = "row_hash"
OUTPUT_COLUMNS = tuple(MOVIMENTO_FLAT.column_names)  # also the CSV header, in this order
HASHED_COLUMNS = tuple(name for name in OUTPUT_COLUMNS if name != ROW_HASH)
# Not text anyone wrote: numbers and the row's digest. The leak proof does not compare them: an 11-digit key or a
# hex digest would equal some raw document by chance once a batch is large.
NOT_WRITTEN_COLUMNS = frozenset(
    column.name
    for column in MOVIMENTO_FLAT.columns
    if column.kind in (Kind.ID, Kind.INT, Kind.DECIMAL) or column.name == ROW_HASH
)
COLUMN_COMMENTS = MOVIMENTO_FLAT.comments | QUARANTINE.comments

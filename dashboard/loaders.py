"""The pages' cached reads: the cube of the exported table and the ledger's tables, one entry per version.

A key holds the table's version (Delta's, or the Parquet files' fingerprint), so a new run's commit is picked up
at the next render while every other render reuses the entry. `cache_resource`, not `cache_data`: the entries are
immutable Arrow tables that each rerun only reads, so nothing needs a copy (the cube of 10,000,000 rows is some
hundred thousand rows, which `cache_data` would unpickle on every rerun).
"""

from __future__ import annotations

import pyarrow as pa
import streamlit as st

from dashboard import queries
from dashboard.sources import Source, open_dataset


@st.cache_resource(show_spinner="Aggregating the exported table...", max_entries=4)
def movement_cube(uri: str, kind: str, version: str) -> pa.Table:
    source = Source(uri, "delta" if kind == "delta" else "parquet", version)
    return queries.movement_cube(open_dataset(source))


@st.cache_resource(show_spinner=False, max_entries=16)
def ledger_table(uri: str, version: str) -> pa.Table:
    return open_dataset(Source(uri, "delta", version)).to_table()


def cube_of(source: Source) -> pa.Table:
    return movement_cube(source.uri, source.kind, source.version)


def ledger_of(source: Source) -> pa.Table:
    return ledger_table(source.uri, source.version)

"""The SiCooperative dashboard: a Streamlit app over the exported `movimento_flat` and the run ledger.

It reads the output directly (delta-rs, pyarrow, DuckDB), never Spark, and aggregates before anything reaches a
page: no raw row is ever loaded into the browser.
"""

"""OpenLineage events of every run: the flow's own (START, then COMPLETE or FAIL, with the sources it read, the
tables and files it wrote and the column lineage of `movimento_flat` from the contract) and Spark's (the
OpenLineage listener, its application run a child of the flow's run). Configuration: `tasks/settings.py`
(SICOOP_LINEAGE_*, SICOOP_OPENLINEAGE_*); reading the files: docs/operations.md, "Lineage"."""

"""Prefect task: verify a landed batch against its manifest, then load PostgreSQL and MongoDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow.compute as pc
from prefect import get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from tasks.domain.tables import MOVIMENTO, TABLES, TABLES_BY_NAME
from tasks.handoff import BatchTotals
from tasks.landing.rejection import move_aside
from tasks.landing.staging import local_copy
from tasks.landing.verification import BatchRejected, VerifiedBatch, read_landed, verify_landed
from tasks.load.mongo import load_mongo
from tasks.load.postgres import load_postgres
from tasks.load.source_suites import check_sources
from tasks.privacy.fingerprints import Fingerprints
from tasks.proof.registry import of_raw_files, of_tables, remember
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.secrets import mongo_uri, postgres_dsn
from tasks.settings import get_settings
from tasks.storage import Location


@dataclass(frozen=True)
class LoadReport:
    batch_id: str
    manifest_sha256: str  # the landed batch's identity (what the watcher announced)
    rows: dict[str, int]
    vlr_total: Decimal  # sum of the batch's movimento amounts, for the gate's reconciliation
    # The batch's raw personal values as salted hashes, for the leak proof after export (never persisted).
    fingerprints: Fingerprints = field(repr=False, compare=False)
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def totals(self) -> BatchTotals:
        """What the gate reconciles movimento_flat with."""
        return BatchTotals(movimentos=self.rows[MOVIMENTO.name], vlr_total=self.vlr_total)


def check_source_suites(batch: VerifiedBatch) -> None:
    """The source tables' suites: a `fail` rule rejects the batch; `warn` rules are reported."""
    logger = get_run_logger()
    check = check_sources(batch.tables, datetime.now(UTC).replace(tzinfo=None))
    create_markdown_artifact(
        key="sicooperative-source-quality",
        markdown=check.markdown(),
        description="Source tables' suites, checked at load time",
    )
    for table, outcome in check.warnings:
        logger.warning("source suite %s: %s", table, outcome.describe())
    if check.blocking:
        table, outcome = check.blocking[0]
        others = f" (and {len(check.blocking) - 1} more)" if len(check.blocking) > 1 else ""
        raise BatchRejected(batch.path, TABLES_BY_NAME[table].file_name, f"rule {outcome.describe()}{others}")


@task(name="load", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def load_batch(batch_location: Location) -> LoadReport:
    """Reject a bad batch (moved to `<landing>/_rejected/`) before anything of it is written.

    PostgreSQL loads in one transaction (all or nothing), then MongoDB; both are upserts, so a retry after a
    transient failure between the two simply completes the load.
    """
    logger = get_run_logger()
    settings = get_settings()
    run = runtime.flow_run.id or None
    try:
        # A rejection can come from the download (an S3 batch), the verification, the source suites or the
        # PostgreSQL constraints; in each case nothing of the batch is loaded yet.
        with local_copy(batch_location) as batch_dir:
            landed = read_landed(batch_dir)
            try:
                batch = verify_landed(landed)
            except BatchRejected:
                remember(run, of_raw_files(landed.files.values()))  # what the proof searches the failure for
                raise
            fingerprints = of_tables(batch.tables, TABLES)
            remember(run, fingerprints)
            check_source_suites(batch)
            pg_counts = load_postgres(postgres_dsn(settings), batch)
            mongo_counts = load_mongo(
                mongo_uri(settings), settings.mongo_database, batch, settings.load_chunk_rows
            )
    except BatchRejected as rejected:
        where_landed = rejected.relocated(batch_location.uri)
        moved = move_aside(batch_location, str(where_landed))
        logger.error("batch rejected and moved to %s: %s", moved.uri, where_landed)
        raise where_landed from None
    inserted = {name: count.inserted for name, count in pg_counts.items()} | {
        "movimento": mongo_counts.inserted
    }
    updated = {name: count.updated for name, count in pg_counts.items()} | {"movimento": mongo_counts.updated}
    rows = {name: table.num_rows for name, table in batch.tables.items()}
    logger.info("loaded %s: rows=%s inserted=%s updated=%s", batch.batch_id, rows, inserted, updated)
    vlr_total = Decimal(pc.sum(batch.tables["movimento"]["vlr_transacao"]).as_py() or 0)
    return LoadReport(
        batch_id=batch.batch_id,
        manifest_sha256=batch.manifest_sha256,
        rows=rows,
        vlr_total=vlr_total,
        fingerprints=fingerprints,
        inserted=inserted,
        updated=updated,
    )

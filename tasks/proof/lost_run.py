"""The leak proof of a run found crashed: it died before its own proof, so the run that records it proves it.

Its batch is read again from where it landed (or from `_rejected/`), its raw values fingerprinted as its own
load would have (the contract's personal columns, or every document, card and e-mail in the bytes of a batch the
contract refuses), and searched for in what the lost run left: its in-flight marker, the ledger row about to be
written for it, its lineage files, and the Prefect API's view of it (states, logs, artifacts). The ledger row
then carries the proof's line, like any other run's.
"""

from __future__ import annotations

import logging
from uuid import UUID

from tasks.domain.tables import TABLES
from tasks.landing.rejection import REJECTED_DIR
from tasks.landing.staging import local_copy
from tasks.landing.verification import BatchRejected, read_landed, verify_landed
from tasks.privacy.fingerprints import Fingerprints
from tasks.privacy.leak_scan import LeakProof, prove
from tasks.proof.registry import of_raw_files, of_tables
from tasks.proof.run_end import server_view
from tasks.storage import Location

logger = logging.getLogger(__name__)


def batch_fingerprints(landing: Location, batch_id: str) -> Fingerprints | None:
    """The raw values of a landed batch, wherever it is now (landing or `_rejected/`); None when it is gone."""
    for where in (landing.join(batch_id), landing.join(REJECTED_DIR, batch_id)):
        if not where.join("_manifest.json").exists():
            continue
        with local_copy(where) as folder:
            landed = read_landed(folder)
            try:
                return of_tables(verify_landed(landed).tables, TABLES)
            except BatchRejected:
                return of_raw_files(landed.files.values())
    return None


def prove_lost_run(
    landing: Location,
    batch_id: str | None,
    flow_run_id: str,
    texts: list[tuple[str, str]],
    lineage_files: list[Location],
) -> LeakProof | None:
    """Search what a lost run left for its batch's raw values; None when its batch cannot be read any more."""
    if not batch_id:
        return None
    try:
        fingerprints = batch_fingerprints(landing, batch_id)
    except Exception as error:  # its batch changed or is unreadable: the row says the proof did not run
        logger.warning("lost run %s: its batch could not be read (%s)", flow_run_id, type(error).__name__)
        return None
    if fingerprints is None:
        return None
    searched = list(texts)
    try:
        searched += server_view(UUID(flow_run_id))
    except Exception as error:  # an unknown run or an unreachable server: what is on disk is still searched
        logger.warning("lost run %s: the server's view was not read (%s)", flow_run_id, type(error).__name__)
    return prove(fingerprints, [file for file in lineage_files if file.exists()], searched)

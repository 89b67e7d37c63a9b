"""Prefect task: the exact-match leak proof, run after every export and before anything is published.

It searches every file the run wrote or changed (Delta data files and log of this run's commits, the
quarantine table's, the staged Parquet and CSV, the quality gate's results and data docs), the run's Prefect
artifacts and its log records, for every raw CPF/CNPJ, card number and e-mail of the batch (kept only as
salted hashes). A hit fails the run: the caller rolls the export back and nothing is published.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from uuid import UUID

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from tasks.domain.movimento_flat import NOT_WRITTEN_COLUMNS
from tasks.errors import ValueFree
from tasks.privacy.fingerprints import Fingerprints
from tasks.privacy.leak_scan import LeakProof, prove
from tasks.storage import Location, resolve


class LeakFound(ValueFree, RuntimeError):
    """Raw personal data of the batch was found in something the run wrote. Never retried."""

    def __init__(self, proof: LeakProof, consequence: str = "nothing was published") -> None:
        self.proof = proof
        places = "\n".join(f"  - {hit.describe()}" for hit in proof.hits)
        super().__init__(f"leak proof failed: {proof.summary()}; {consequence}:\n{places}")


def files_changed_since(folder: Path | str, started: datetime) -> list[Location]:
    """Files under a local folder written at or after `started` (the quality gate's results and docs)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    threshold = started.timestamp()
    return [
        resolve(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.stat().st_mtime >= threshold
    ]


def artifacts_of(flow_run_id: UUID | None) -> list[tuple[str, str]]:
    """(name, text) of every artifact the flow run has published so far."""
    if flow_run_id is None:
        return []
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return [(f"artifact {artifact.key or artifact.id}", str(artifact.data or "")) for artifact in artifacts]


@task(name="leak_proof", cache_policy=NO_CACHE)
def prove_no_leak(
    fingerprints: Fingerprints,
    files: Sequence[Location],
    quality_dir: Path | str | None,
    started: datetime,
    flow_run_id: UUID | None,
    texts: Iterable[tuple[str, str]] = (),
) -> LeakProof:
    """Search everything the run wrote; returns the proof (the caller decides what a hit undoes)."""
    logger = get_run_logger()
    everything = [*files, *(files_changed_since(quality_dir, started) if quality_dir else [])]
    proof = prove(fingerprints, everything, [*artifacts_of(flow_run_id), *texts], NOT_WRITTEN_COLUMNS)
    (logger.info if proof.clean else logger.error)(
        "leak proof: %s, in %.2fs%s",
        proof.summary(),
        proof.seconds,
        "".join(f"\n  - {hit.describe()}" for hit in proof.hits),
    )
    return proof

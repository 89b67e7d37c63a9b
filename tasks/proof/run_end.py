"""The leak proof that ends every run, however it ends: completed, rejected, failed at the gate or the drift
check, failed anywhere else, or found crashed by a later run.

The proof before publishing (`tasks/proof/task.py`) searches what a completed run exports. This one searches
what every run leaves for people to read, after it is written: the run ledger, the in-flight markers and the
lineage files written since the run started (everything under `<output>/ops/`, the lineage folder), Spark's
event logs when they are enabled, the rejected batch's `_rejection.json`, the run's logs as captured in this
process and as the Prefect server returns them, the state message of the flow run and of each task run, the
run's artifacts, and the texts the run is about to hand over (its final state message, the gate-failed event's
payload). A hit is reported by place and kind, never by value, and fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import pyarrow.fs as pafs
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
from prefect.client.schemas.sorting import LogSort

from tasks.domain.movimento_flat import NOT_WRITTEN_COLUMNS
from tasks.privacy.fingerprints import Fingerprints
from tasks.privacy.leak_scan import LeakProof, prove
from tasks.proof.task import artifacts_of
from tasks.storage import Location

logger = logging.getLogger(__name__)
_LOG_PAGE = 200


@dataclass(frozen=True)
class RunEnd:
    """What one run left, to be searched: folders whose files written since `started` count, single files, and
    texts."""

    started: datetime
    folders: Sequence[Location]
    flow_run_id: UUID | None
    texts: Sequence[tuple[str, str]]
    files: Sequence[Location] = ()


def files_written_since(folder: Location, started: datetime) -> list[Location]:
    """Files under `folder` (local or S3) modified at or after `started`, at any depth; none when `folder` is
    not a folder (lineage pointed at a file never wrote there)."""
    if folder.filesystem.get_file_info(folder.path).type != pafs.FileType.Directory:
        return []
    selector = pafs.FileSelector(folder.path, allow_not_found=True, recursive=True)
    threshold = started.timestamp()
    prefix = len(folder.path.rstrip("/")) + 1
    return [
        folder.join(str(info.path)[prefix:])
        for info in folder.filesystem.get_file_info(selector)
        if info.type == pafs.FileType.File
        and not info.base_name.endswith(".crc")  # binary checksums of the files beside them
        and (info.mtime is None or info.mtime.timestamp() >= threshold)
    ]


def _flush_api_logs() -> None:
    """Logs reach the server in batches: send what is queued before asking for them."""
    try:
        from prefect.logging.handlers import APILogHandler

        APILogHandler().flush()
    except Exception as error:  # outside a run, or no API: nothing queued to send
        logger.debug("API logs not flushed: %s", type(error).__name__)


def server_view(flow_run_id: UUID | None) -> list[tuple[str, str]]:
    """The run as the Prefect API returns it: its state message, each task run's, its logs and artifacts."""
    if flow_run_id is None:
        return []
    _flush_api_logs()
    texts: list[tuple[str, str]] = []
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        if flow_run.state is not None:
            texts.append(("flow run state", f"{flow_run.state.name}: {flow_run.state.message or ''}"))
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        for run in runs:
            if run.state is not None and run.state.message:
                texts.append((f"task run {run.name} state", run.state.message))
        lines: list[str] = []
        offset = 0
        while True:
            page = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                limit=_LOG_PAGE,
                offset=offset,
                sort=LogSort.TIMESTAMP_ASC,
            )
            lines.extend(log.message for log in page)
            if len(page) < _LOG_PAGE:
                break
            offset += len(page)
        texts.append((f"server logs ({len(lines)} records)", "\n".join(lines)))
    texts.extend(artifacts_of(flow_run_id))
    return texts


def prove_run_end(fingerprints: Fingerprints, end: RunEnd, ask_server: bool = True) -> LeakProof:
    """Search everything the run left (`RunEnd`) and, when asked, the server's view of it."""
    files = [
        *end.files,
        *(file for folder in end.folders for file in files_written_since(folder, end.started)),
    ]
    texts: Iterable[tuple[str, str]] = list(end.texts)
    if ask_server:
        try:
            texts = [*texts, *server_view(end.flow_run_id)]
        except Exception as error:  # the server unreachable: what the process holds is still searched
            logger.warning("leak proof: the server's view of the run was not read (%s)", type(error).__name__)
    return prove(fingerprints, files, texts, NOT_WRITTEN_COLUMNS)

"""The flow run's own OpenLineage events: START when it begins (its sources as inputs), then COMPLETE with every
input and output dataset and their facets, or FAIL with the failure's value-free reason. Lineage is a
by-product: whatever goes wrong here is a warning and never changes how the run ends (like the run ledger)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
from openlineage.client.facet_v2 import RunFacet, error_message_run, job_type_job
from openlineage.client.uuid import generate_new_uuid
from prefect import get_run_logger, runtime

from tasks.errors import failure_reason
from tasks.lineage.datasets import OutputRows, inputs, outputs
from tasks.lineage.spark import ParentRun, detach_listener, set_parent
from tasks.lineage.transport import flow_transport
from tasks.ops.ledger import RunRecord
from tasks.settings import get_settings

DEFAULT_JOB = "sicooperative-pipeline"  # the flow's name, when run outside Prefect's runtime
JOB_TYPE = job_type_job.JobTypeJobFacet(processingType="BATCH", integration="PREFECT", jobType="FLOW")


@dataclass(frozen=True)
class FlowLineage:
    client: OpenLineageClient
    parent: ParentRun  # the flow's run, as its Spark application's parent

    def emit(self, state: RunState, record: RunRecord) -> None:
        settings = get_settings()
        run_facets: dict[str, RunFacet] = {}
        if state is RunState.FAIL and record.failure:
            run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=record.failure, programmingLanguage="python"
            )
        completed = state is RunState.COMPLETE and record.batch_id is not None
        self.client.emit(
            RunEvent(
                eventType=state,
                eventTime=datetime.now(UTC).isoformat(),
                run=Run(runId=self.parent.run_id, facets=run_facets),
                job=Job(namespace=self.parent.namespace, name=self.parent.job, facets={"jobType": JOB_TYPE}),
                inputs=inputs(settings, record.batch_id),
                outputs=outputs(
                    settings,
                    record.batch_id or "",
                    OutputRows(record.rows_exported, record.rows_quarantined),
                )
                if completed
                else [],
            )
        )


def start_lineage(record: RunRecord) -> FlowLineage | None:
    """Emit the flow run's START and make it the parent of the Spark session this run starts."""
    try:
        settings = get_settings()
        run_id = record.flow_run_id or str(generate_new_uuid())
        parent = ParentRun(settings.lineage_namespace, runtime.flow_run.flow_name or DEFAULT_JOB, run_id)
        transport = flow_transport(settings, run_id)
        if transport is None:
            set_parent(None)
            return None
        set_parent(parent)
        lineage = FlowLineage(OpenLineageClient(transport=transport), parent)
        lineage.emit(RunState.START, record)
        return lineage
    except Exception as error:  # the run goes on without lineage
        get_run_logger().warning("lineage: the run's START event failed: %s", failure_reason(error))
        return None


def finish_lineage(lineage: FlowLineage | None, record: RunRecord) -> None:
    """COMPLETE or FAIL, as the run record says, after the Spark listener's application end; never raises."""
    set_parent(None)
    detach_listener()
    if lineage is None:
        return
    try:
        lineage.emit(RunState.COMPLETE if record.status == "COMPLETED" else RunState.FAIL, record)
    except Exception as error:
        get_run_logger().warning("lineage: the run's final event failed: %s", failure_reason(error))

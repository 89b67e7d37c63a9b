"""The OpenLineage Spark listener's configuration (`io.openlineage:openlineage-spark`, a cached jar of
`tasks/spark_session.py`).

The listener reads its configuration once, when the SparkSession starts: its application run is made a child of
the flow run that started the session (parent facet: the flow's namespace, name and run id), and its file
transport writes `<lineage folder>/spark/<flow run id>.jsonl`. A session started outside a flow run (tests'
shared session, `python -m tasks.spark_session`) gets no listener. A process that runs several flows on one
session (a test process) keeps the first run's parent: deployments run each flow in its own process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tasks.errors import failure_reason
from tasks.lineage.transport import SPARK_FOLDER, http_url, lineage_folder
from tasks.secrets import openlineage_api_key
from tasks.settings import Settings

LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
# Spark's default spark.redaction.regex, and the listener's API key.
REDACTION = r"(?i)secret|password|token|access[.]?key|api[.]?key"
# Facets left out: the logical plan (it would print a local relation's rows) and the unknown-node dump.
DISABLED_FACETS = ("spark.logicalPlan", "spark_unknown", "debug")


@dataclass(frozen=True)
class ParentRun:
    namespace: str
    job: str
    run_id: str


_parent: ParentRun | None = None
logger = logging.getLogger(__name__)


def set_parent(parent: ParentRun | None) -> None:
    """The flow run a SparkSession started from now on belongs to (`tasks/lineage/flow_run.py` sets it)."""
    global _parent
    _parent = parent


def listener_options(settings: Settings) -> dict[str, str]:
    """spark.* options of the listener, or none (no flow run, SICOOP_LINEAGE_TRANSPORT=off, or a lineage
    configuration that fails: a warning, never the run's failure)."""
    try:
        return _options(settings)
    except Exception as error:
        logger.warning("Spark lineage is off for this session: %s", failure_reason(error))
        return {}


def _options(settings: Settings) -> dict[str, str]:
    parent = _parent
    if parent is None or settings.lineage_transport == "off":
        return {}
    options = {
        "spark.extraListeners": LISTENER,
        "spark.redaction.regex": REDACTION,
        "spark.openlineage.namespace": settings.lineage_namespace,
        "spark.openlineage.parentJobNamespace": parent.namespace,
        "spark.openlineage.parentJobName": parent.job,
        "spark.openlineage.parentRunId": parent.run_id,
        "spark.openlineage.rootParentJobNamespace": parent.namespace,
        "spark.openlineage.rootParentJobName": parent.job,
        "spark.openlineage.rootParentRunId": parent.run_id,
    }
    options |= {f"spark.openlineage.facets.{facet}.disabled": "true" for facet in DISABLED_FACETS}
    if settings.lineage_transport == "http":
        options |= {
            "spark.openlineage.transport.type": "http",
            "spark.openlineage.transport.url": http_url(settings),
            "spark.openlineage.transport.endpoint": "/" + settings.openlineage_endpoint.lstrip("/"),
        }
        key = openlineage_api_key(settings)
        if key:
            options |= {
                "spark.openlineage.transport.auth.type": "api_key",
                "spark.openlineage.transport.auth.apiKey": key,
            }
        return options
    folder = lineage_folder(settings) / SPARK_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return options | {
        "spark.openlineage.transport.type": "file",
        "spark.openlineage.transport.location": str(folder / f"{parent.run_id}.jsonl"),
    }

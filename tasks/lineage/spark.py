"""The OpenLineage Spark listener's configuration (`io.openlineage:openlineage-spark`, a cached jar of
`tasks/spark_session.py`).

The listener reads its configuration once, when it starts, so it is not registered with the session (which starts
before the flow run exists, in parallel with the imports and the load) but attached to it for each flow run: its
application run is made a child of that flow run (parent facet: the flow's namespace, name and run id), and its
file transport writes `<lineage folder>/spark/<flow run id>.jsonl`. The run's end detaches it, once Spark has
delivered every event of the run's jobs, with the application's COMPLETE. A process that runs several flows on one
session (a served flow, a test process) gives each run its own listener; a session used outside a flow run
(tests' shared session, `python -m tasks.spark_session`) has none.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from pyspark import SparkContext

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


@dataclass(frozen=True)
class _Attached:
    parent: ParentRun
    context: SparkContext  # the session's context it listens to
    listener: Any  # the JVM listener (a py4j JavaObject)


_parent: ParentRun | None = None
_attached: _Attached | None = None
# How long the run's end waits for Spark to deliver the events of its last jobs to the listener.
DRAIN_MILLISECONDS = 30_000
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


def follow_parent(context: SparkContext, settings: Settings) -> None:
    """Give the session the listener of the current flow run: the previous run's is detached first, and none is
    attached outside a flow run. Called under the session's lock (`tasks/spark_session.get_spark`)."""
    global _attached
    parent = _parent
    if _attached is not None and _attached.parent == parent and _attached.context is context:
        return
    detach_listener()
    options = listener_options(settings)
    if parent is None or not options:
        return
    try:
        conf = context._jsc.sc().getConf()  # a copy: the session's own configuration stays as it is
        for key, value in options.items():
            conf.set(key, value)
        jvm = context._jvm
        assert jvm is not None
        listener = _java_class(jvm, LISTENER)(conf)
        none = jvm.scala.Option.empty()
        # The application START a listener registered at the session's start would have sent.
        listener.onApplicationStart(
            jvm.org.apache.spark.scheduler.SparkListenerApplicationStart(
                context.appName,
                jvm.scala.Option.apply(context.applicationId),
                int(time.time() * 1000),
                context.sparkUser(),
                none,
                none,
                none,
            )
        )
        context._jsc.sc().addSparkListener(listener)
    except Exception as error:
        logger.warning("Spark lineage is off for this run: %s", failure_reason(error))
        return
    _attached = _Attached(parent, context, listener)


def _java_class(jvm: Any, name: str) -> Any:
    found = jvm
    for part in name.split("."):
        found = getattr(found, part)
    return found


def detach_listener() -> None:
    """End the attached listener's application run (COMPLETE, its file closed) once Spark has delivered it every
    event so far; never raises."""
    global _attached
    attached, _attached = _attached, None
    context = SparkContext._active_spark_context
    if attached is None or context is not attached.context:
        return  # a stopped session already ended it
    try:
        spark_context = context._jsc.sc()
        spark_context.listenerBus().waitUntilEmpty(DRAIN_MILLISECONDS)
        spark_context.removeSparkListener(attached.listener)
        jvm = context._jvm
        assert jvm is not None
        attached.listener.onApplicationEnd(
            jvm.org.apache.spark.scheduler.SparkListenerApplicationEnd(
                int(time.time() * 1000), jvm.scala.Option.empty()
            )
        )
    except Exception as error:
        logger.warning("Spark lineage: the run's application end failed: %s", failure_reason(error))

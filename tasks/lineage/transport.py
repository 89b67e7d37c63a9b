"""Where events go (SICOOP_LINEAGE_TRANSPORT): `file`, JSON lines under the lineage folder (default
`<output>/ops/lineage/`; `data/lineage` when the output is on S3, since both the Python and the Spark file
transports write local files only); `http`, an OpenLineage consumer such as Marquez (SICOOP_OPENLINEAGE_URL,
with an optional API key sent as a bearer token); `off`, nothing."""

from __future__ import annotations

from pathlib import Path

from openlineage.client.transport.file import FileConfig, FileTransport
from openlineage.client.transport.http import HttpConfig, HttpTransport
from openlineage.client.transport.transport import Transport

from tasks.errors import ValueFree
from tasks.secrets import openlineage_api_key
from tasks.settings import Settings
from tasks.storage import resolve

FLOW_FOLDER, SPARK_FOLDER = "flow", "spark"
HTTP_TIMEOUT_SECONDS = 5.0


class LineageConfigError(ValueFree, ValueError):
    """The lineage settings do not make a transport (its message names settings, never values)."""


def lineage_folder(settings: Settings) -> Path:
    if settings.lineage_dir:
        return Path(settings.lineage_dir).resolve()
    output = resolve(settings.output_dir, settings)
    return Path("data/lineage").resolve() if output.is_s3 else Path(output.join("ops", "lineage").path)


def http_url(settings: Settings) -> str:
    if not settings.openlineage_url:
        raise LineageConfigError("SICOOP_LINEAGE_TRANSPORT=http needs SICOOP_OPENLINEAGE_URL")
    return settings.openlineage_url


def flow_transport(settings: Settings, run_id: str) -> Transport | None:
    """The transport of the flow's events: one JSON-lines file per run, `<folder>/flow/<run id>.jsonl`."""
    if settings.lineage_transport == "off":
        return None
    if settings.lineage_transport == "http":
        auth: dict[str, str] = {}
        key = openlineage_api_key(settings)
        if key:
            auth = {"type": "api_key", "apiKey": key}
        return HttpTransport(
            HttpConfig.from_dict(
                {
                    "url": http_url(settings),
                    "endpoint": settings.openlineage_endpoint,
                    "timeout": HTTP_TIMEOUT_SECONDS,
                    "auth": auth,
                }
            )
        )
    folder = lineage_folder(settings) / FLOW_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return FileTransport(FileConfig(log_file_path=str(folder / f"{run_id}.jsonl"), append=True))

"""Land a generated batch: one `;`-separated UTF-8 CSV per table, then the manifest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from tasks.domain.tables import TABLES
from tasks.landing.manifest import MANIFEST_NAME, Manifest, ManifestFile, sha256_of, write_manifest
from tasks.storage import Location, resolve

CSV_DELIMITER = ";"


def write_batch(
    landing_dir: Path, batch_id: str, tables: dict[str, pa.Table], generator: dict[str, str | int]
) -> Path:
    """Write the data files first and the manifest last: its arrival marks the batch complete.

    Re-landing an identical batch rewrites identical files, so a crashed run can simply be repeated.
    """
    batch_dir = landing_dir / batch_id
    batch_dir.mkdir(parents=True, exist_ok=True)
    (batch_dir / MANIFEST_NAME).unlink(missing_ok=True)  # the batch is incomplete until the end
    options = pacsv.WriteOptions(include_header=True, delimiter=CSV_DELIMITER, quoting_style="needed")
    entries = []
    for table in TABLES:
        data = tables[table.name].select(table.column_names)
        path = batch_dir / table.file_name
        pacsv.write_csv(data, path, write_options=options)
        entries.append(
            ManifestFile(
                name=table.file_name, rows=data.num_rows, bytes=path.stat().st_size, sha256=sha256_of(path)
            )
        )
    manifest = Manifest(batch_id=batch_id, created_at=datetime.now(UTC), generator=generator, files=entries)
    write_manifest(batch_dir, manifest)
    return batch_dir


def upload_batch(batch_dir: Path, landing: Location) -> Location:
    """Copy a locally written batch to a remote landing (S3), data files first and the manifest last, so the
    batch appears complete only when it is."""
    target = landing.join(batch_dir.name)
    for path in sorted(batch_dir.iterdir(), key=lambda path: path.name == MANIFEST_NAME):
        resolve(path).copy_file_to(target.join(path.name))
    return target

"""Prefect task: generate a batch of fake data and land it with its manifest."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tasks.generate.generator import GenerationConfig, generate
from tasks.landing.writer import upload_batch, write_batch
from tasks.retry import TASK_RETRY_OPTIONS
from tasks.storage import Location, resolve


def batch_id_for(config: GenerationConfig) -> str:
    """Deterministic: the same seed and reference day always name (and regenerate) the same batch."""
    return f"{config.reference_time:%Y%m%d}-seed{config.seed:03d}-m{config.movimentos}"


@task(name="generate", cache_policy=NO_CACHE, **TASK_RETRY_OPTIONS)
def generate_batch(
    landing: Location, associados: int, movimentos: int, seed: int, as_of: datetime | None = None
) -> Location:
    """Generate and land a batch in `landing` (a folder, or S3 through a local temporary copy)."""
    logger = get_run_logger()
    started = time.perf_counter()
    config = GenerationConfig(associados=associados, movimentos=movimentos, seed=seed, as_of=as_of)
    tables = generate(config)
    generated = time.perf_counter() - started
    generator: dict[str, str | int] = {
        "seed": seed,
        "associados": associados,
        "movimentos": movimentos,
        "as_of": config.reference_time.isoformat(),
    }
    if landing.is_s3:
        with tempfile.TemporaryDirectory(prefix="sicoop-generate-") as work:
            batch = upload_batch(write_batch(Path(work), batch_id_for(config), tables, generator), landing)
    else:
        batch = resolve(write_batch(Path(landing.path), batch_id_for(config), tables, generator))
    logger.info(
        "generated %s: %s in %.2fs (%.0f movimento rows/s), landed in %.2fs total",
        batch.uri,
        ", ".join(f"{name}={table.num_rows:,}" for name, table in tables.items()),
        generated,
        movimentos / generated if generated else 0.0,
        time.perf_counter() - started,
    )
    return batch

"""Benchmark of the quality gate alone on a large `movimento_flat` (default 1,000,000 rows).

    uv run python -m bench.gate [--movimentos N]
    uv run python -m bench.gate --history 365   # the checkpoint of a small batch after 365 earlier runs

The flat table is built in Spark from a generated batch (no databases involved); the figures are the gate's
own: the one pass that computes the join, judges every row (quarantine rules, personal-data detector) and
persists the frame, then the GX checkpoint over every row.

With `--history N`, the data docs part of one gate run (a 1,000-row batch) after N earlier runs (copies of a real
run's result and page, a day apart), two ways side by side: every run in the index and every page read by the
offline pass, as before the index was bounded, and today's bounded index: what a daily run's data docs cost
after N days.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HISTORY_ROWS = 1_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=20_000)
    parser.add_argument("--history", type=int, default=0, help="earlier runs (see above); 0: the large batch")
    args = parser.parse_args()
    if args.history:
        return history(args.history)

    from bench.frames import generated_flat
    from tasks.gate.checkpoint import gate_parameters, run_gate
    from tasks.gate.task import judge_rows
    from tasks.spark_session import get_spark

    spark = get_spark(app_name="bench-gate")
    flat = generated_flat(spark, args.movimentos, args.associados)
    now = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    split = judge_rows(flat.frame, now)
    split_seconds = time.perf_counter() - started
    print(
        f"judge every row (one pass)   {split_seconds:8.2f} s  {split.verdicts.rows:>11,} rows, "
        f"{split.verdicts.quarantined_rows:,} quarantined, {split.verdicts.personal_data_rows:,} with personal data"
    )
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        report = run_gate(
            split.flagged,
            "movimento_flat",
            gate_parameters(flat.rows, flat.total, now),
            Path(scratch),
            quarantined=split.verdicts.by_rule,
        )
        gx_seconds = time.perf_counter() - started
    print(
        f"GX checkpoint                {gx_seconds:8.2f} s  {len(report.outcomes)} rules, passed={report.success}"
    )
    for failure in report.blocking:
        print(f"  blocking: {failure.describe()}")
    total = split_seconds + gx_seconds
    print(f"gate total                   {total:8.2f} s  {split.verdicts.rows / total:>11,.0f} rows/s")
    split.release()
    spark.stop()


def history(runs: int) -> None:
    from bench.frames import generated_flat
    from tasks.gate import checkpoint
    from tasks.gate.task import judge_rows
    from tasks.spark_session import get_spark

    spark = get_spark(app_name="bench-gate-history")
    flat = generated_flat(spark, HISTORY_ROWS, HISTORY_ROWS // 50)
    now = datetime.now(UTC).replace(tzinfo=None)
    split = judge_rows(flat.frame, now)
    parameters = checkpoint.gate_parameters(flat.rows, flat.total, now)
    with tempfile.TemporaryDirectory() as scratch:
        template = Path(scratch) / "template"
        started = time.perf_counter()
        report = checkpoint.run_gate(split.flagged, "movimento_flat", parameters, template, "today")
        whole = time.perf_counter() - started
        assert report.success, "the generated batch must pass"
        split.release()
        _copy_history(template, runs)

        # Each in a new interpreter, as each deployed run is.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            unbounded, listed_unbounded = pool.apply(
                _data_docs, (template, Path(scratch) / "unbounded", False)
            )
            bounded, listed_bounded = pool.apply(_data_docs, (template, Path(scratch) / "bounded", True))
    print(
        f"GX checkpoint of {HISTORY_ROWS:,} rows into a fresh quality folder: {whole:.2f} s, of which data docs:"
    )
    print(f"  after {runs:,} runs, every run in the index, every page read (before)  {unbounded:6.2f} s")
    print(
        f"  after {runs:,} runs, index of the latest {checkpoint.INDEX_RUNS} (today)           {bounded:6.2f} s"
    )
    print(f"  (links to earlier runs in the index: {listed_unbounded:,} before, {listed_bounded:,} today)")
    spark.stop()


def _data_docs(template: Path, quality: Path, bounded: bool) -> tuple[float, int]:
    """What the gate does after a run: the UpdateDataDocsAction's build (this run's page and the index), then
    the offline pass. Returns (seconds, links to earlier runs in the index)."""
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

    from tasks.gate import checkpoint
    from tasks.quality.offline_docs import PASS_MARKER, make_offline

    shutil.copytree(template, quality)
    context = gx.get_context(mode="file", project_root_dir=str(quality))
    if bounded:
        checkpoint.bound_index(context, checkpoint.INDEX_RUNS)
    else:  # as before the bound: every run in the index (GX reads 0 as no limit), every page read
        checkpoint.bound_index(context, 0)
        (quality / _SITE / PASS_MARKER).unlink(missing_ok=True)
    today = [
        key
        for key in context.validation_results_store.list_keys()
        if isinstance(key, ValidationResultIdentifier) and key.run_id.run_name == "today"
    ]
    started = time.perf_counter()
    context.build_data_docs(site_names=["local_site"], resource_identifiers=today)
    make_offline(quality / _SITE)
    seconds = time.perf_counter() - started
    return seconds, (quality / _SITE / "index.html").read_text(encoding="utf-8").count("history-")


_SITE = Path("gx", "uncommitted", "data_docs", "local_site")


def _copy_history(quality: Path, runs: int) -> None:
    """`runs` copies of the one stored run (result and page), each under its own run name, a day apart and
    written a day apart, as a daily job leaves them."""
    gx = quality / "gx" / "uncommitted"
    result = next((gx / "validations").rglob("*.json"))
    page = next((gx / "data_docs" / "local_site" / "validations").rglob("*.html"))
    today = datetime.now(UTC)
    for root, original in (
        (gx / "validations", result),
        (gx / "data_docs" / "local_site" / "validations", page),
    ):
        suite, _run_name, _run_time, *rest = original.relative_to(root).parts
        for day in range(1, runs + 1):
            stamp = (today - timedelta(days=day)).strftime("%Y%m%dT%H%M%S.%fZ")  # the page's is the result's
            target = root.joinpath(suite, f"history-{day:05d}", stamp, *rest)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, target)
            past = time.time() - day * 86_400
            os.utime(target, (past, past))


if __name__ == "__main__":
    main()

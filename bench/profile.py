"""Where every second of a run goes: each part of a cold `python -m flows.main --batch` at several batch sizes
(default 10,000, 100,000 and 1,000,000 movimentos), split into fixed seconds and seconds per 100,000 movimentos,
with Spark's jobs, tasks and bytes per stage; then a warm run of the same process on a second batch of that size,
as a long-lived deployment process (a served flow) runs its next batch.

    uv run python -m bench.profile [--sizes 10000 100000 1000000] [--associados-per-movimento 0.02] [--no-warm]

Each size is run by a new Python process, as the command line runs it, so the figures hold what a small batch
pays whatever its size: the interpreter and imports, the Spark session and jars, the GX context, the Prefect
server's round trips, the run's bookkeeping outside its stages (ledger, markers, lineage, the proof that ends it).
The parent lands each batch (generation is not profiled) and empties the benchmark databases first, then times
the child from its start to its exit; the child reports its own marks and Spark's event log gives each stage's
jobs, tasks and bytes (written through spark-submit's options, where the pipeline does not look: the run keeps
its default configuration). Fixed and per-100k seconds are the least-squares line through the sizes' points: the
intercept is what any batch pays, the slope what each 100,000 movimentos add.

Run with the local services (`make services`; the Prefect server of `.local/prefect.env`), nothing else running.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_MARK = "PROFILE-JSON "
PER_ROWS = 100_000
# The parts of a run outside its stages, in the order they happen.
PROCESS_START = "process start (interpreter)"
IMPORTS = "imports (flows.pipeline and what it loads)"
BOOKKEEPING = "flow engine and bookkeeping outside stages"
EXIT = "exit (Spark stop, interpreter shutdown)"


@dataclass
class SizeProfile:
    """One cold run: seconds per part and Spark's work per stage; and the same process's next run (warm)."""

    movimentos: int
    seconds: dict[str, float] = field(default_factory=dict)
    spark: dict[str, dict[str, float]] = field(default_factory=dict)
    warm: dict[str, float] = field(default_factory=dict)

    @property
    def whole(self) -> float:
        return sum(self.seconds.values())


def line_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line through (x, y) points; one point: all of it fixed."""
    if len(points) < 2:
        return (points[0][1] if points else 0.0), 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return mean_y - slope * mean_x, slope


def child(batches: Sequence[Path], output: Path, started: float) -> None:
    """The cold run, then warm runs of the same process on the other batches: marks printed as one JSON line
    for the parent."""
    entered = time.time()
    # What `python -m flows.main` does before its imports: Spark starts meanwhile.
    from tasks.spark_session import start_in_background

    start_in_background()
    import flows.pipeline  # noqa: F401  (what `python -m flows.main` loads before its flow starts)
    from bench.pipeline import run_flow

    imported = time.time()
    runs = []
    begun = imported
    for batch in batches:
        summary = run_flow(batch, output)
        finished = time.time()
        stages = dict(summary.stage_seconds)
        runs.append({BOOKKEEPING: (finished - begun) - sum(stages.values()), **stages})
        begun = finished
    from tasks.spark_session import get_spark

    get_spark().stop()  # closes the event log
    seconds = {PROCESS_START: entered - started, IMPORTS: imported - entered, **runs[0]}
    report = {"seconds": seconds, "warm": runs[1] if len(runs) > 1 else {}, "flow_ended": begun}
    print(_MARK + json.dumps(report), flush=True)


def profile_size(scratch: Path, movimentos: int, associados: int, warm: bool) -> SizeProfile:
    from bench.pipeline import fresh_sources, land, seed_for
    from bench.spark_events import latest_event_log, work_by_group

    fresh_sources()  # sets the benchmark databases in this environment: the child inherits them
    seed = seed_for(movimentos, associados)
    batches = [land(scratch / f"landing-{movimentos}", movimentos, associados, seed)]
    if warm:  # another seed: other ids, as the next day's batch has
        batches.append(land(scratch / f"landing-{movimentos}", movimentos, associados, seed + 1))
    events = scratch / f"spark-events-{movimentos}"
    events.mkdir()
    # Spark's event log through spark-submit's own options, not the pipeline's setting: the run under profile
    # keeps its default configuration (with the setting, the proof that ends the run would also search the log).
    options = {"enabled": "true", "dir": events.as_uri(), "compress": "false", "rolling.enabled": "false"}
    submit = (
        " ".join(f"--conf spark.eventLog.{key}={value}" for key, value in options.items()) + " pyspark-shell"
    )
    environment = {**os.environ, "PYSPARK_SUBMIT_ARGS": submit}
    environment.pop("SICOOP_SPARK_EVENT_LOG_DIR", None)
    started = time.time()
    environment["SICOOP_PROFILE_STARTED"] = repr(started)
    completed = subprocess.run(
        [
            sys.executable,
            *("-m", "bench.profile", "--output", str(scratch / f"output-{movimentos}")),
            *("--child", *map(str, batches)),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    ended = time.time()
    marks = [line for line in completed.stdout.splitlines() if line.startswith(_MARK)]
    if completed.returncode != 0 or not marks:
        sys.stderr.write(completed.stderr[-4000:])
        raise SystemExit(f"the {movimentos:,}-movimento run failed (exit {completed.returncode})")
    for line in (completed.stdout + completed.stderr).splitlines():
        if "leak proof" in line and " found, in " in line:  # the proofs' own figures, beside the profile
            print(f"  {line.split(' - ', 1)[-1]}")
    report = json.loads(marks[-1][len(_MARK) :])
    profile = SizeProfile(movimentos, {**report["seconds"], EXIT: ended - report["flow_ended"]})
    profile.warm = report["warm"]
    log = latest_event_log(events)
    if (
        log is not None
    ):  # Spark's work of both runs, per stage: the cold run's is half of it when warm runs too
        for group, work in work_by_group(log).items():
            profile.spark[group] = {
                "jobs": work.jobs,
                "tasks": work.tasks,
                "MB read": work.input_bytes / 1e6,
                "shuffle MB": work.shuffle_read_bytes / 1e6,
            }
    return profile


def table(profiles: Sequence[SizeProfile], warm: bool = False) -> str:
    """The profile as one Markdown table (readable in a terminal, pasted as is into docs/benchmarks.md): the cold
    runs, or (`warm`) the same processes' next runs."""
    largest = profiles[-1]
    parts = list(largest.warm if warm else largest.seconds)
    sizes = " | ".join(f"{p.movimentos:,} (s)" for p in profiles)
    spark_header = (
        "" if warm else f" Spark jobs / tasks / MB read / shuffle MB at {largest.movimentos:,} (both runs) |"
    )
    lines = [
        f"| part | {sizes} | fixed (s) | per 100k (s) |{spark_header}",
        "|---|" + "---:|" * (len(profiles) + 2 + (0 if warm else 1)),
    ]
    for part in [*parts, "whole run" if warm else "whole command"]:
        runs = [p.warm if warm else p.seconds for p in profiles]
        values = [sum(run.values()) if part.startswith("whole") else run.get(part, 0.0) for run in runs]
        fixed, slope = line_fit([(p.movimentos / PER_ROWS, v) for p, v in zip(profiles, values, strict=True)])
        cells = " | ".join(f"{value:.2f}" for value in values)
        name = f"**{part}**" if part.startswith("whole") else part
        row = f"| {name} | {cells} | {fixed:.2f} | {slope:.2f} |"
        if not warm:
            work = largest.spark.get(part)
            row += (
                f" {work['jobs']:.0f} / {work['tasks']:.0f} / {work['MB read']:,.1f} / {work['shuffle MB']:,.1f} |"
                if work
                else " – |"
            )
        lines.append(row)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--associados-per-movimento", type=float, default=0.02)
    parser.add_argument("--no-warm", action="store_true", help="cold runs only")
    parser.add_argument("--child", nargs="+", metavar="BATCH", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child([Path(b) for b in args.child], Path(args.output), float(os.environ["SICOOP_PROFILE_STARTED"]))
        return
    if not os.environ.get("PREFECT_API_URL"):
        print("note: no PREFECT_API_URL: each run pays a temporary Prefect server's start-up")
    profiles = []
    with tempfile.TemporaryDirectory(prefix="sicoop-profile-") as work:
        for movimentos in sorted(args.sizes):
            associados = max(1, round(movimentos * args.associados_per_movimento))
            profile = profile_size(Path(work), movimentos, associados, warm=not args.no_warm)
            warm = f", warm run {sum(profile.warm.values()):7.2f} s" if profile.warm else ""
            print(f"{movimentos:>10,} movimentos: {profile.whole:7.2f} s whole command{warm}", flush=True)
            profiles.append(profile)
    print()
    print("Cold: a new process per size")
    print(table(profiles))
    if all(profile.warm for profile in profiles):
        print()
        print("Warm: the same process's next run, on another batch of that size")
        print(table(profiles, warm=True))


if __name__ == "__main__":
    main()

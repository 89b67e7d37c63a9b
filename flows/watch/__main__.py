"""`python -m flows.watch LANDING_URI --landing NAME`: announce every complete batch that lands.

LANDING_URI is a folder (a local volume) or s3://bucket/prefix. The watcher polls, catches up on start with
the batches that arrived while it was down, and remembers what it announced in a cursor file. Events go to the
Prefect API of PREFECT_API_URL (a self-hosted server or Prefect Cloud).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from prefect.settings import PREFECT_API_URL

from flows.watch.cursor import Cursor
from flows.watch.watcher import LandingWatcher
from tasks.storage import resolve


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m flows.watch", description=__doc__.splitlines()[0])
    parser.add_argument("landing_uri", help="landing folder or s3://bucket/prefix to watch")
    parser.add_argument(
        "--landing",
        required=True,
        help="the landing's name, carried by every event: deployment triggers (prefect.yaml) match it",
    )
    parser.add_argument(
        "--publish-as",
        metavar="URI",
        help="the root as pipeline runs see it, if not LANDING_URI (e.g. the folder's path inside a container)",
    )
    parser.add_argument(
        "--cursor", type=Path, help="cursor file (default .local/watch/<landing>-<hash of LANDING_URI>.json)"
    )
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between scans (default 5)")
    parser.add_argument("--once", action="store_true", help="scan once (catch up) and exit")
    return parser.parse_args(argv)


def default_cursor(landing: str, landing_uri: str) -> Path:
    digest = hashlib.sha256(landing_uri.encode()).hexdigest()[:12]
    return Path(".local/watch") / f"{landing}-{digest}.json"


async def _watch(watcher: LandingWatcher, interval: float, once: bool) -> None:
    if once:
        await watcher.scan_once()
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await watcher.run(interval, stop)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not PREFECT_API_URL.value():
        # Without it Prefect would start a temporary server of its own, whose triggers no one deployed.
        print(
            "python -m flows.watch: set PREFECT_API_URL to the Prefect server (or Cloud workspace) to announce to",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    location = resolve(args.landing_uri)
    watcher = LandingWatcher(
        root=location,
        publish_as=args.publish_as,
        landing=args.landing,
        cursor=Cursor(args.cursor or default_cursor(args.landing, location.uri)),
    )
    logging.getLogger("sicooperative.watch").info(
        "watching %s as landing %r every %.0f s (cursor %s, %d announced)",
        location.uri,
        args.landing,
        args.interval,
        watcher.cursor.path,
        len(watcher.cursor),
    )
    asyncio.run(_watch(watcher, args.interval, args.once))
    return 0


if __name__ == "__main__":
    sys.exit(main())

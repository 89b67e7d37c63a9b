"""One writer at a time: a run holds the one slot of a Prefect global concurrency limit while it writes.

Runs of every deployment writing the same output (both work pools) would otherwise MERGE into the same Delta
tables, stage and swap the same files and append to the same ledger at once; the work pools' own limits only
serialise the runs of one pool. The limit is named by SICOOP_WRITER_LIMIT (the same for all deployments of one
output), declared in deploy/concurrency_limits.yaml and created by `make pools`.

A limit missing on the server: a deployed run fails before writing anything (a server without it is a
configuration error, and writing unserialised is what the limit is there to prevent); a run started by hand
(`python -m flows.main`, tests, often on a temporary server of its own, where no other writer can coordinate
anyway) logs Prefect's warning and goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound

from tasks.errors import ValueFree

# A crashed holder's slot is free again after this; a live holder renews its lease well before.
LEASE_SECONDS = 300.0


class WriterLimitMissing(ValueFree, RuntimeError):
    """A deployed run found no writer limit on its Prefect server: nothing was written."""

    def __init__(self, limit: str) -> None:
        super().__init__(
            f"the global concurrency limit '{limit}' (SICOOP_WRITER_LIMIT) does not exist or is inactive on "
            "the Prefect server; `make pools` creates it (deploy/concurrency_limits.yaml)"
        )


def require_limit(limit: str) -> None:
    with get_client(sync_client=True) as client:
        try:
            found = client.read_global_concurrency_limit_by_name(limit)
        except ObjectNotFound:
            raise WriterLimitMissing(limit) from None
    if not found.active:
        raise WriterLimitMissing(limit)


@contextmanager
def writer_slot(limit: str, flow_run_id: str | None, deployed: bool) -> Iterator[None]:
    """Wait for the limit's slot, hold it (renewing its lease) inside the block, release it on the way out.

    A lease renewal that fails (the server unreachable for a while) is logged and the run goes on: stopping a
    run halfway through a write is worse than the rare overlap, which Delta's own commit protocol detects.
    """
    if deployed:
        require_limit(limit)
    holder = ConcurrencyLeaseHolder(type="flow_run", id=UUID(flow_run_id)) if flow_run_id else None
    with concurrency(
        limit,
        occupy=1,
        lease_duration=LEASE_SECONDS,
        strict=deployed,
        holder=holder,
        raise_on_lease_renewal_failure=False,
    ):
        yield

"""What the ledger keeps of a failure: the pipeline's own (value-free) messages, anything else by class only."""

from __future__ import annotations

from pathlib import Path

from tasks.errors import SourceError
from tasks.landing.verification import BatchRejected
from tasks.ops.ledger import RunRecord, failure_reason


def test_a_value_free_error_keeps_its_message_any_other_only_its_class() -> None:
    rejected = BatchRejected(Path("/l/b1"), "movimento.csv", "2 duplicate ids")
    assert failure_reason(rejected) == f"BatchRejected: {rejected}"
    source = SourceError(stage="load", source="postgres", error=["UniqueViolation"], table="associado")
    assert failure_reason(source).startswith("SourceError: load/postgres associado")
    assert failure_reason(ValueError("cpf 529.982.247-25 is odd")) == "ValueError"
    assert failure_reason(KeyError("ana.souza@gmail.com")) == "KeyError"


def test_a_record_says_how_the_run_ended() -> None:
    record = RunRecord(flow_run_id="r1", flow_run_name="n", deployment=None)
    assert record.status == "RUNNING"
    record.fail("extract", TimeoutError("x"))
    assert (record.status, record.failed_stage, record.failure) == ("FAILED", "extract", "TimeoutError")
    record.complete()
    assert record.status == "COMPLETED"

"""In-flight markers on an S3 output (the local S3 API of `make services`): written, rewritten, listed, deleted."""

from __future__ import annotations

from tasks.ops.in_flight import delete_marker, marker_location, marker_of, read_markers, write_marker
from tasks.ops.ledger import RunRecord
from tasks.storage import Location


def test_markers_live_and_die_on_s3(s3_prefix: Location) -> None:
    output = s3_prefix.join("output")
    record = RunRecord(flow_run_id="f-1", flow_run_name="s3-run", deployment=None)
    write_marker(output, marker_of(record, "load"))
    record.batch_id = "b-1"
    write_marker(output, marker_of(record, "extract"))  # rewritten in place, as each stage starts

    (marker,), unreadable = read_markers(output)
    assert (marker.flow_run_id, marker.stage, marker.record["batch_id"], unreadable) == (
        "f-1",
        "extract",
        "b-1",
        [],
    )
    assert marker_location(output, "f-1").uri.startswith("s3://")

    delete_marker(output, "f-1")
    delete_marker(output, "f-1")  # already gone: nothing to do
    assert read_markers(output) == ([], [])

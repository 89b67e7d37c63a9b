"""deploy/concurrency_limits.yaml as `make pools` reads it: the runs' default writer limit is declared, one slot."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.ops.limits import LimitSpec, read_limits
from tasks.settings import Settings


def test_the_default_writer_limit_is_declared_with_one_slot() -> None:
    limits = {spec.name: spec for spec in read_limits()}
    default = Settings.model_fields["writer_limit"].default
    assert limits[default] == LimitSpec(name=default, limit=1)


def test_a_limit_declared_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "limits.yaml"
    path.write_text("limits:\n  - {name: w, limit: 1}\n  - {name: w, limit: 2}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="declared twice"):
        read_limits(path)

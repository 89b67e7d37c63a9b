"""A table's expectation suite: the contract's structural rules (generated) followed by the business rules
hand-written in `expectations/<table>.json`, each with its `regra` and `politica`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from tasks.domain.render.expectations import output_expectations, source_expectations
from tasks.domain.tables import GATE_COLUMNS, MOVIMENTO_FLAT, TABLES_BY_NAME

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"


def hand_written(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def generated(name: str) -> list[dict[str, Any]]:
    if name == MOVIMENTO_FLAT.name:
        return output_expectations(MOVIMENTO_FLAT, GATE_COLUMNS)
    return source_expectations(TABLES_BY_NAME[name])


@cache
def _suite(name: str) -> str:
    suite = hand_written(name)
    suite["expectations"] = [*generated(name), *suite["expectations"]]
    return json.dumps(suite, ensure_ascii=False)


def suite_json(name: str) -> dict[str, Any]:
    """The whole suite (a fresh copy: callers may change it)."""
    data: dict[str, Any] = json.loads(_suite(name))
    return data

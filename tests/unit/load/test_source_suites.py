"""The source tables' suites, checked at load time: fail rules block the batch, warn rules are reported."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from tasks.domain.suites import suite_json
from tasks.landing.verification import verify_batch
from tasks.load.source_suites import SourceCheck, check_sources
from tests.utils.batches import land_batch

NOW = datetime(2026, 7, 1)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pa.Table]:
    batch = land_batch(tmp_path_factory.mktemp("sources"), seed=21, associados=60, movimentos=300)
    return verify_batch(Path(batch)).tables


def with_value(
    tables: dict[str, pa.Table], table: str, column: str, row: int, value: object
) -> dict[str, pa.Table]:
    data = tables[table]
    values = data[column].to_pylist()
    values[row] = value
    index = data.column_names.index(column)
    return tables | {table: data.set_column(index, column, pa.array(values, type=data[column].type))}


def failed(check: SourceCheck, kind: str) -> set[tuple[str, str, str | None]]:
    pairs = check.blocking if kind == "blocking" else check.warnings
    return {(table, o.expectation, o.column) for table, o in pairs}


def test_a_clean_batch_passes_every_source_rule(tables: dict[str, pa.Table]) -> None:
    check = check_sources(tables, NOW)
    assert check.blocking == [] and check.warnings == []
    assert set(check.reports) == {"associado", "conta", "cartao", "movimento"}
    for table, report in check.reports.items():  # every rule of every suite ran, and held
        assert len(report.outcomes) == len(suite_json(table)["expectations"]), table
        assert all(outcome.success for outcome in report.outcomes), table


def test_fail_rules_block(tables: dict[str, pa.Table]) -> None:
    cpf = tables["associado"]["cpf_cnpj"][0].as_py()
    broken = with_value(tables, "associado", "cpf_cnpj", 1, cpf)
    broken = with_value(broken, "conta", "tipo", 0, "OUTRO")
    broken = with_value(broken, "cartao", "num_cartao", 0, "123456789012")
    check = check_sources(broken, NOW)
    assert failed(check, "blocking") == {
        ("associado", "expect_column_values_to_be_unique", "cpf_cnpj"),
        ("conta", "expect_column_values_to_be_in_set", "tipo"),
        ("cartao", "expect_column_values_to_match_regex", "num_cartao"),
    }
    report = check.markdown()
    assert cpf not in report and "123456789012" not in report  # counts only, never values


def test_warn_rules_report(tables: dict[str, pa.Table]) -> None:
    broken = with_value(tables, "movimento", "vlr_transacao", 0, Decimal("-10.00"))
    broken = with_value(broken, "movimento", "data_movimento", 1, datetime(2099, 1, 1))
    broken = with_value(broken, "movimento", "tipo_transacao", 2, "ESTORNO")
    broken = with_value(broken, "associado", "email", 0, "sem.arroba.example.com")
    broken = with_value(broken, "associado", "idade", 0, 7)
    broken = with_value(broken, "conta", "data_criacao", 0, datetime(2099, 1, 1))
    broken = with_value(broken, "cartao", "data_criacao", 0, datetime(2099, 1, 1))
    check = check_sources(broken, NOW)
    assert check.blocking == []
    assert failed(check, "warnings") == {
        ("movimento", "expect_column_values_to_be_between", "vlr_transacao"),
        ("movimento", "expect_column_values_to_be_between", "data_movimento"),
        ("movimento", "expect_column_values_to_be_in_set", "tipo_transacao"),
        ("associado", "expect_column_values_to_match_regex", "email"),
        ("associado", "expect_column_values_to_be_between", "idade"),
        ("conta", "expect_column_values_to_be_between", "data_criacao"),
        ("cartao", "expect_column_values_to_be_between", "data_criacao"),
    }


def test_the_report_of_a_source_suite_tells_nothing_of_quarantine(tables: dict[str, pa.Table]) -> None:
    """Source rules reject or warn; only the gate quarantines, so the load's report says nothing of it."""
    text = check_sources(tables, NOW).markdown()
    assert "Source suite `associado`: PASSED" in text
    assert "uarantine" not in text


def test_every_source_rule_has_a_policy_and_a_rule() -> None:
    for table in ("associado", "conta", "cartao", "movimento"):
        for expectation in suite_json(table)["expectations"]:
            assert expectation["meta"]["politica"] in {"fail", "warn"}, (table, expectation["type"])
            assert expectation["meta"]["regra"]

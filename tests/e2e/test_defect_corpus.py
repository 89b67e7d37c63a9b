"""The defect corpus: one batch per kind of defect a cooperative's data can have, each through the whole flow.

Every defect must be caught by the rule meant for it and handled by that rule's policy: the batch rejected at
landing (nothing loaded), the gate failed (nothing exported), or the breaking rows quarantined (the rest
exported). A clean batch passes with nothing quarantined. Whenever a run fails, the previous export is untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flows.pipeline import sicooperative_pipeline
from tasks.domain.documents import is_luhn_valid, luhn_check_digits
from tasks.gate.checkpoint import GateFailed
from tasks.landing.verification import BatchRejected
from tests.batches import land_batch, rewrite_file

Lines = list[str]
MOVIMENTOS = 200


def edit_field(file_row: int, column: int, value: str) -> Callable[[Lines], Lines]:
    """Set one field of one data row (1-based, header excluded)."""

    def edit(lines: Lines) -> Lines:
        fields = lines[file_row].split(";")
        fields[column] = value
        return [*lines[:file_row], ";".join(fields), *lines[file_row + 1 :]]

    return edit


def drop_column(column: int) -> Callable[[Lines], Lines]:
    return lambda lines: [";".join(f for i, f in enumerate(line.split(";")) if i != column) for line in lines]


def add_column(name: str) -> Callable[[Lines], Lines]:
    return lambda lines: [f"{lines[0]};{name}", *[f"{line};x" for line in lines[1:]]]


def raw_card_number() -> str:
    """A Luhn-valid 16-digit card number, as a customer might type it into a description."""
    body = "411111222233334"
    number = body + str(int(luhn_check_digits(np.array([[int(ch) for ch in body]]))[0]))
    assert is_luhn_valid(number)
    return number


def malformed_email_of_first_movimento(batch: Path) -> None:
    """The e-mail of the associado who made movimento 1: every movimento of theirs is affected."""
    id_cartao = (batch / "movimento.csv").read_text().splitlines()[1].split(";")[-1]
    cartoes = {
        line.split(";")[0]: line.split(";")[-1] for line in (batch / "cartao.csv").read_text().splitlines()
    }
    owner = cartoes[id_cartao]

    def edit(lines: Lines) -> Lines:
        out = []
        for line in lines:
            fields = line.split(";")
            if fields[0] == owner:
                fields[4] = "fulano.sem.arroba.example.com"
            out.append(";".join(fields))
        return out

    rewrite_file(batch, "associado.csv", edit)


def owner_mismatch(batch: Path) -> None:
    """Card 1 says it belongs to another associado than its account's holder."""
    lines = (batch / "cartao.csv").read_text().splitlines()
    other = next(line.split(";")[-1] for line in lines[2:] if line.split(";")[-1] != lines[1].split(";")[-1])
    rewrite_file(batch, "cartao.csv", edit_field(1, 5, other))


@dataclass(frozen=True)
class Defect:
    name: str
    damage: Callable[[Path], None]
    outcome: str  # "rejected", "gate_failed" or "quarantined"
    rule: str  # the rule (or the rejection text) that must name it


def in_file(file_name: str, edit: Callable[[Lines], Lines]) -> Callable[[Path], None]:
    return lambda batch: rewrite_file(batch, file_name, edit)


# movimento.csv: id;vlr_transacao;des_transacao;tipo_transacao;data_movimento;id_cartao
# associado.csv: id;nome;sobrenome;idade;email;cpf_cnpj
CORPUS = [
    Defect("null id", in_file("movimento.csv", edit_field(1, 0, "")), "rejected", "column id is empty"),
    Defect("duplicate id", in_file("movimento.csv", lambda ls: [*ls, ls[-1]]), "rejected", "1 duplicate ids"),
    Defect(
        "negative amount",
        in_file("movimento.csv", edit_field(1, 1, "-10.00")),
        "quarantined",
        "column_values_to_be_between(vlr_transacao_movimento)",
    ),
    Defect(
        "amount with text",
        in_file("movimento.csv", edit_field(1, 1, "10,00 reais")),
        "rejected",
        "column vlr_transacao is not a decimal(10,2)",
    ),
    Defect(
        "future date",
        in_file("movimento.csv", edit_field(1, 4, "2099-01-01 10:00:00")),
        "quarantined",
        "column_values_to_be_between(data_movimento)",
    ),
    Defect(
        "movimento before its account",
        in_file("movimento.csv", edit_field(1, 4, "1990-01-01 00:00:00")),
        "quarantined",
        "column_pair_values_a_to_be_greater_than_b(data_movimento,data_criacao_conta)",
    ),
    Defect(
        "malformed e-mail",
        malformed_email_of_first_movimento,
        "quarantined",
        "column_values_to_match_regex(email_associado)",
    ),
    Defect(
        "orphan cartao",
        in_file("movimento.csv", edit_field(1, 5, "999")),
        "quarantined",
        "column_values_to_be_in_set(_integridade)",
    ),
    Defect("cartao/conta owner mismatch", owner_mismatch, "rejected", "cartao.csv"),
    Defect(
        "raw card number in des_transacao",
        in_file("movimento.csv", edit_field(1, 2, f"Compra cartao {raw_card_number()}")),
        "gate_failed",
        "expect_column_values_to_not_match_regex(des_transacao_movimento): 1 unexpected",
    ),
    Defect(
        "raw CPF in des_transacao",
        in_file("movimento.csv", edit_field(1, 2, "Pagamento CPF 529.982.247-25")),
        "gate_failed",
        "expect_column_values_to_not_match_regex(des_transacao_movimento): 1 unexpected",
    ),
    Defect(
        "missing column",
        in_file("movimento.csv", drop_column(2)),
        "rejected",
        "missing columns ['des_transacao']",
    ),
    Defect(
        "extra column", in_file("movimento.csv", add_column("obs")), "rejected", "unexpected columns ['obs']"
    ),
    Defect(
        "wrong type",
        in_file("associado.csv", edit_field(1, 3, "vinte")),
        "rejected",
        "column idade is not an integer",
    ),
]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus-output")


def run(batch: Path, output: Path) -> Any:
    return sicooperative_pipeline(batch=str(batch), output=str(output), return_state=True)


def export_fingerprint(output: Path) -> tuple[str, list[str], list[str]]:
    csv = hashlib.sha256((output / "csv" / "movimento_flat.csv").read_bytes()).hexdigest()
    delta_log = sorted(p.name for p in (output / "delta" / "movimento_flat" / "_delta_log").iterdir())
    parquet = sorted(str(p.relative_to(output)) for p in (output / "parquet").rglob("*.parquet"))
    return csv, delta_log, parquet


@pytest.fixture(scope="module")
def clean_run(
    prefect_server: None, services: dict[str, str], spark: Any, output: Path, tmp_path_factory: Any
) -> Any:
    batch = land_batch(tmp_path_factory.mktemp("clean"), seed=80, associados=40, movimentos=MOVIMENTOS)
    state = run(batch, output)
    assert state.is_completed(), state.message
    return state.result()


def test_the_clean_batch_passes_with_nothing_quarantined(clean_run: Any) -> None:
    assert clean_run["quarantined"] == 0
    assert clean_run["delta_inserted"] == MOVIMENTOS
    assert clean_run["expectations_passed"] == clean_run["expectations_total"]


@pytest.mark.parametrize("defect", CORPUS, ids=[d.name for d in CORPUS])
def test_each_defect_is_caught_by_its_rule_and_handled_by_its_policy(
    defect: Defect, clean_run: Any, output: Path, tmp_path: Path, spark: Any
) -> None:
    seed = 81 + CORPUS.index(defect)
    batch = land_batch(tmp_path / "landing", seed=seed, associados=40, movimentos=MOVIMENTOS)
    defect.damage(batch)
    before = export_fingerprint(output)

    state = run(batch, output)

    if defect.outcome == "quarantined":
        assert state.is_completed(), state.message
        summary = state.result()
        quarantine = spark.read.format("delta").load(str(output / "quarantine" / "movimento_flat"))
        rows = quarantine.where(quarantine.batch_id == batch.name).collect()
        assert summary["quarantined"] == len(rows) >= 1
        assert all(defect.rule in row["regras_violadas"] for row in rows), [
            r["regras_violadas"] for r in rows
        ]
        assert summary["delta_inserted"] == MOVIMENTOS - len(rows)
        return

    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    expected = BatchRejected if defect.outcome == "rejected" else GateFailed
    assert isinstance(error, expected), repr(error)
    assert defect.rule in str(error)
    assert export_fingerprint(output) == before
    if defect.outcome == "rejected":
        assert (batch.parent / "_rejected" / batch.name / "_rejection.json").is_file()
        assert not batch.exists()

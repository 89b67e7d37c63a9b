"""The defect corpus: one batch per kind of defect a cooperative's data can have, each through the whole flow.

Every defect must be caught by the rule meant for it and handled by that rule's policy: the batch rejected at
landing (nothing loaded), the gate failed (nothing written anywhere, the quarantine table included), or the
breaking rows quarantined (the rest exported). Some inputs are not defects and must pass: a file saved with a
byte order mark, a name a spreadsheet would run as a formula (exported neutralised). A clean batch passes
with nothing quarantined. Whenever a run fails, the previous export is untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from pyspark.sql import SparkSession

from tasks.domain.documents import is_luhn_valid, luhn_check_digits
from tasks.gate.checkpoint import GateFailed
from tasks.landing.verification import BatchRejected
from tests.utils.batches import land_batch, rewrite_file, run_pipeline

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State

    from flows.pipeline import RunSummary

Lines = list[str]
MOVIMENTOS = 200
FORMULA_NAME = '=HYPERLINK("http://x.example/a","abrir")'


def csv_field(value: str) -> str:
    """A field as the landing's CSV writes it: quoted when it holds a quote or the delimiter."""
    return '"' + value.replace('"', '""') + '"' if '"' in value or ";" in value else value


def edit_field(file_row: int, column: int, value: str) -> Callable[[Lines], Lines]:
    """Set one field of one data row (1-based, header excluded)."""
    quoted = csv_field(value)

    def edit(lines: Lines) -> Lines:
        fields = lines[file_row].split(";")
        fields[column] = quoted
        return [*lines[:file_row], ";".join(fields), *lines[file_row + 1 :]]

    return edit


def edit_fields(*edits: Callable[[Lines], Lines]) -> Callable[[Lines], Lines]:
    def edit(lines: Lines) -> Lines:
        for one in edits:
            lines = one(lines)
        return lines

    return edit


def drop_column(column: int) -> Callable[[Lines], Lines]:
    return lambda lines: [";".join(f for i, f in enumerate(line.split(";")) if i != column) for line in lines]


def add_column(name: str) -> Callable[[Lines], Lines]:
    return lambda lines: [f"{lines[0]};{name}", *[f"{line};x" for line in lines[1:]]]


def with_bom(lines: Lines) -> Lines:
    return ["\ufeff" + lines[0], *lines[1:]]


def raw_card_number() -> str:
    """A Luhn-valid 16-digit card number, as a customer might type it into a description."""
    body = "411111222233334"
    number = body + str(int(luhn_check_digits(np.array([[int(ch) for ch in body]]))[0]))
    assert is_luhn_valid(number)
    return number


def owner_of_first_movimento(batch: Path) -> str:
    id_cartao = (batch / "movimento.csv").read_text().splitlines()[1].split(";")[-1]
    cartoes = {
        line.split(";")[0]: line.split(";")[-1] for line in (batch / "cartao.csv").read_text().splitlines()
    }
    return cartoes[id_cartao]


def associado_of_first_movimento(column: int, value: Callable[[str], str]) -> Callable[[Path], None]:
    """Change one field of the associado who made movimento 1: every movimento of theirs is affected."""

    def damage(batch: Path) -> None:
        owner = owner_of_first_movimento(batch)

        def edit(lines: Lines) -> Lines:
            out = []
            for line in lines:
                fields = line.split(";")
                if fields[0] == owner:
                    fields[column] = csv_field(value(fields[column].strip('"')))
                out.append(";".join(fields))
            return out

        rewrite_file(batch, "associado.csv", edit)

    return damage


def break_check_digit(document: str) -> str:
    return document[:-1] + str((int(document[-1]) + 1) % 10)


def owner_mismatch(batch: Path) -> None:
    """Card 1 says it belongs to another associado than its account's holder."""
    lines = (batch / "cartao.csv").read_text().splitlines()
    other = next(line.split(";")[-1] for line in lines[2:] if line.split(";")[-1] != lines[1].split(";")[-1])
    rewrite_file(batch, "cartao.csv", edit_field(1, 5, other))


def bom_on_every_file(batch: Path) -> None:
    for name in ("associado.csv", "conta.csv", "cartao.csv", "movimento.csv"):
        rewrite_file(batch, name, with_bom)


def first_raw_cpf(batch: Path) -> str:
    documents = [
        line.split(";")[5].strip('"') for line in (batch / "associado.csv").read_text().splitlines()[1:]
    ]
    return next(document for document in documents if len(document) == 11)


def quarantined_row_with_a_cpf(batch: Path) -> None:
    """A negative amount (quarantine) whose description carries a customer's CPF (a leak): it must block."""
    cpf = first_raw_cpf(batch)
    rewrite_file(
        batch,
        "movimento.csv",
        edit_fields(
            edit_field(1, 1, "-10.00"),
            edit_field(1, 2, f"Estorno CPF {cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"),
        ),
    )


@dataclass(frozen=True)
class Defect:
    name: str
    damage: Callable[[Path], None]
    outcome: str  # "rejected", "gate_failed", "quarantined" or "exported"
    rule: str  # the rule (or the rejection text) that must name it


def in_file(file_name: str, edit: Callable[[Lines], Lines]) -> Callable[[Path], None]:
    return lambda batch: rewrite_file(batch, file_name, edit)


PERSONAL_DATA_RULE = "expect_column_values_to_be_null(_dados_pessoais): 1 unexpected"
# movimento.csv: id;vlr_transacao;des_transacao;tipo_transacao;data_movimento;id_cartao
# associado.csv: id;nome;sobrenome;idade;email;cpf_cnpj
CORPUS = [
    Defect("null id", in_file("movimento.csv", edit_field(1, 0, "")), "rejected", "column id is empty"),
    Defect(
        "duplicate id",
        in_file("movimento.csv", lambda ls: [*ls, ls[-1]]),
        "rejected",
        "has 1 duplicated values",
    ),
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
        associado_of_first_movimento(4, lambda _: "fulano.sem.arroba.example.com"),
        "quarantined",
        "column_values_to_match_regex(email_associado)",
    ),
    Defect(
        "invalid CPF/CNPJ check digit",
        associado_of_first_movimento(5, break_check_digit),
        "quarantined",
        "column_values_to_be_in_set(_documento_valido)",
    ),
    Defect(
        "age the cooperative does not admit",
        associado_of_first_movimento(3, lambda _: "150"),
        "quarantined",
        "column_values_to_be_between(idade_associado)",
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
        PERSONAL_DATA_RULE,
    ),
    Defect(
        "card number with dots in des_transacao",
        in_file("movimento.csv", edit_field(1, 2, "Compra cartao 4111.1111.1111.1111")),
        "gate_failed",
        PERSONAL_DATA_RULE,
    ),
    Defect(
        "raw CPF in des_transacao",
        in_file("movimento.csv", edit_field(1, 2, "Pagamento CPF 529.982.247-25")),
        "gate_failed",
        PERSONAL_DATA_RULE,
    ),
    Defect(
        "CPF as 529982247-25 in des_transacao",
        in_file("movimento.csv", edit_field(1, 2, "Pagamento 529982247-25")),
        "gate_failed",
        PERSONAL_DATA_RULE,
    ),
    Defect("quarantined row carrying a CPF", quarantined_row_with_a_cpf, "gate_failed", PERSONAL_DATA_RULE),
    Defect(
        "missing column",
        in_file("movimento.csv", drop_column(2)),
        "rejected",
        "missing columns ['des_transacao']",
    ),
    Defect(
        "extra column",
        in_file("movimento.csv", add_column("obs")),
        "rejected",
        "header fields that are not columns of movimento: field 7 (3 characters)",
    ),
    Defect(
        "wrong type",
        in_file("associado.csv", edit_field(1, 3, "vinte")),
        "rejected",
        "column idade is not an integer",
    ),
    Defect("byte order mark on every file", bom_on_every_file, "exported", ""),
    Defect(
        "name that is a spreadsheet formula",
        associado_of_first_movimento(1, lambda _: FORMULA_NAME),
        "exported",
        "",
    ),
]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus-output")


def run(batch: Path, output: Path) -> State[RunSummary]:
    """The flow on `batch`, as a worker whose landing is the batch's folder and whose output is `output`."""
    return run_pipeline(batch, output)


def tree_fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder with its sha256: what must not change when a run fails."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def export_fingerprint(output: Path) -> dict[str, dict[str, str]]:
    return {part: tree_fingerprint(output / part) for part in ("delta", "parquet", "csv", "quarantine")}


def csv_rows(output: Path, batch_id: str) -> list[dict[str, str]]:
    text = (output / "csv" / "movimento_flat" / f"{batch_id}.csv").read_bytes().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def clean_run(
    prefect_server: None,
    services: dict[str, str],
    spark: SparkSession,
    output: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> RunSummary:
    batch = land_batch(tmp_path_factory.mktemp("clean"), seed=80, associados=40, movimentos=MOVIMENTOS)
    state = run(batch, output)
    assert state.is_completed(), state.message
    return state.result()


def test_the_clean_batch_passes_with_nothing_quarantined(clean_run: RunSummary) -> None:
    assert clean_run.quarantined == 0
    assert clean_run.delta_inserted == clean_run.batch_rows == MOVIMENTOS
    assert clean_run.expectations_passed == clean_run.expectations_total
    assert clean_run.leak_proof.endswith("files: 0 found")


@pytest.mark.parametrize("defect", CORPUS, ids=[d.name for d in CORPUS])
def test_each_defect_is_caught_by_its_rule_and_handled_by_its_policy(
    defect: Defect, clean_run: RunSummary, output: Path, tmp_path: Path, spark: SparkSession
) -> None:
    seed = 81 + CORPUS.index(defect)
    batch = land_batch(tmp_path / "landing", seed=seed, associados=40, movimentos=MOVIMENTOS)
    defect.damage(batch)
    before = export_fingerprint(output)

    state = run(batch, output)

    if defect.outcome in ("quarantined", "exported"):
        assert state.is_completed(), state.message
        summary = state.result()
        quarantine = spark.read.format("delta").load(str(output / "quarantine" / "movimento_flat"))
        rows = quarantine.where(quarantine.batch_id == batch.name).collect()
        assert summary.quarantined == len(rows)
        assert summary.delta_inserted == MOVIMENTOS - len(rows)
        assert len(csv_rows(output, batch.name)) == MOVIMENTOS - len(rows)
        if defect.outcome == "exported":
            assert not rows
            check_exported(defect, batch, output)
        else:
            assert rows
            assert all(defect.rule in row["regras_violadas"] for row in rows), [
                r["regras_violadas"] for r in rows
            ]
        return

    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    expected = BatchRejected if defect.outcome == "rejected" else GateFailed
    assert isinstance(error, expected), repr(error)
    assert defect.rule in str(error)
    assert export_fingerprint(output) == before  # Delta, Parquet, CSV and quarantine all untouched
    if defect.outcome == "rejected":
        assert (batch.parent / "_rejected" / batch.name / "_rejection.json").is_file()
        assert not batch.exists()


def check_exported(defect: Defect, batch: Path, output: Path) -> None:
    if defect.name.startswith("name that is"):
        names = {row["nome_associado"] for row in csv_rows(output, batch.name)}
        assert "'" + FORMULA_NAME in names  # neutralised, quotes round-trip through Python's csv module
        assert not any(name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
        raw = (output / "csv" / "movimento_flat" / f"{batch.name}.csv").read_bytes()
        assert b'"\'=HYPERLINK(""http://x.example/a"",""abrir"")"' in raw  # RFC 4180: quotes doubled
    for row in csv_rows(output, batch.name):
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row.values())
        float(row["vlr_transacao_movimento"])  # numbers stay numbers

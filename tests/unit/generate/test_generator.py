from datetime import datetime
from typing import TypedDict

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tasks.domain.documents import is_luhn_valid, is_valid_cnpj, is_valid_cpf
from tasks.domain.tables import TABLES, TIPOS_CONTA, TIPOS_TRANSACAO
from tasks.generate.generator import GenerationConfig, generate

AS_OF = datetime(2026, 6, 30)


class ConfigOverrides(TypedDict, total=False):
    associados: int
    movimentos: int
    seed: int


@pytest.fixture(scope="module")
def batch() -> dict[str, pa.Table]:
    return generate(GenerationConfig(associados=2_000, movimentos=20_000, seed=7, as_of=AS_OF))


def test_tables_have_the_declared_columns(batch: dict[str, pa.Table]) -> None:
    for table in TABLES:
        assert batch[table.name].column_names == table.column_names


def test_sizes_follow_the_configuration(batch: dict[str, pa.Table]) -> None:
    assert batch["associado"].num_rows == 2_000
    assert batch["movimento"].num_rows == 20_000
    assert 2_000 <= batch["conta"].num_rows <= 6_000
    assert batch["conta"].num_rows <= batch["cartao"].num_rows <= 2 * batch["conta"].num_rows


def test_ids_are_unique_and_in_the_seed_block(batch: dict[str, pa.Table]) -> None:
    for name, table in batch.items():
        ids = table["id"]
        assert pc.count_distinct(ids).as_py() == table.num_rows, name
    assert pc.min(batch["associado"]["id"]).as_py() == 7_000_001
    assert pc.min(batch["movimento"]["id"]).as_py() == 7_000_000_001


def test_documents_are_valid_and_both_pf_and_pj_occur(batch: dict[str, pa.Table]) -> None:
    documents = batch["associado"]["cpf_cnpj"].to_pylist()
    cpfs = [d for d in documents if len(d) == 11]
    cnpjs = [d for d in documents if len(d) == 14]
    assert cpfs and cnpjs and len(cpfs) + len(cnpjs) == len(documents)
    assert all(map(is_valid_cpf, cpfs))
    assert all(map(is_valid_cnpj, cnpjs))
    assert len(set(documents)) == len(documents)


def test_cards_are_luhn_valid_and_unique(batch: dict[str, pa.Table]) -> None:
    cards = batch["cartao"]["num_cartao"].to_pylist()
    assert all(map(is_luhn_valid, cards))
    assert len(set(cards)) == len(cards)


def test_foreign_keys_are_consistent(batch: dict[str, pa.Table]) -> None:
    associados = set(batch["associado"]["id"].to_pylist())
    contas = dict(
        zip(batch["conta"]["id"].to_pylist(), batch["conta"]["id_associado"].to_pylist(), strict=True)
    )
    assert set(contas.values()) <= associados
    cartoes = batch["cartao"].to_pylist()
    assert all(contas[c["id_conta"]] == c["id_associado"] for c in cartoes)
    cartao_ids = {c["id"] for c in cartoes}
    assert set(batch["movimento"]["id_cartao"].to_pylist()) <= cartao_ids


def test_values_are_in_their_domains(batch: dict[str, pa.Table]) -> None:
    assert set(batch["conta"]["tipo"].to_pylist()) <= set(TIPOS_CONTA)
    assert set(batch["movimento"]["tipo_transacao"].to_pylist()) == set(TIPOS_TRANSACAO)
    amounts = batch["movimento"]["vlr_transacao"].to_pylist()
    assert all(a.count(".") == 1 and len(a.split(".")[1]) == 2 and float(a) >= 1.0 for a in amounts)
    idades = batch["associado"]["idade"].to_pylist()
    assert min(idades) >= 18 and max(idades) <= 120
    assert all("@" in e for e in batch["associado"]["email"].to_pylist())


def test_no_future_dates_and_time_runs_forward(batch: dict[str, pa.Table]) -> None:
    conta_created = dict(
        zip(batch["conta"]["id"].to_pylist(), batch["conta"]["data_criacao"].to_pylist(), strict=True)
    )
    cartoes = {c["id"]: c for c in batch["cartao"].to_pylist()}
    for cartao in cartoes.values():
        assert conta_created[cartao["id_conta"]] <= cartao["data_criacao"] <= AS_OF
    for movimento in batch["movimento"].slice(0, 2_000).to_pylist():
        assert cartoes[movimento["id_cartao"]]["data_criacao"] <= movimento["data_movimento"] <= AS_OF


def test_same_seed_gives_the_same_batch_and_another_seed_does_not() -> None:
    config = GenerationConfig(associados=300, movimentos=1_000, seed=3, as_of=AS_OF)
    first, second = generate(config), generate(config)
    assert all(first[name].equals(second[name]) for name in first)
    other = generate(GenerationConfig(associados=300, movimentos=1_000, seed=4, as_of=AS_OF))
    assert not set(first["associado"]["cpf_cnpj"].to_pylist()) & set(
        other["associado"]["cpf_cnpj"].to_pylist()
    )
    assert not set(first["movimento"]["id"].to_pylist()) & set(other["movimento"]["id"].to_pylist())


@pytest.mark.parametrize(
    "bad", [{"associados": 0}, {"seed": 1_000}, {"movimentos": -1}, {"associados": 10_000_000}]
)
def test_invalid_configuration_is_refused(bad: ConfigOverrides) -> None:
    with pytest.raises(ValueError, match="must be within"):
        GenerationConfig(**bad)

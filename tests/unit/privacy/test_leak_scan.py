"""The leak proof's search finds a batch's raw values in every form and every file format, and nothing else."""

from __future__ import annotations

import pickle
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tasks.domain.contract import PersonalData
from tasks.domain.tables import ASSOCIADO, CARTAO
from tasks.privacy.fingerprints import Fingerprints
from tasks.privacy.leak_scan import prove, search_file
from tasks.storage import resolve

CPF, CNPJ, CARD, EMAIL = "52998224725", "11222333000181", "4111111111111111", "Ana.Souza@Gmail.com"


@pytest.fixture(scope="module")
def fingerprints() -> Fingerprints:
    associado = pa.table({"cpf_cnpj": [CPF, CNPJ], "email": [EMAIL, "contato@lojaboa.com.br"]})
    cartao = pa.table({"num_cartao": [CARD, "5500000000000004"]})
    return Fingerprints.of_batch({"associado": associado, "cartao": cartao}, (ASSOCIADO, CARTAO))


def test_only_hashes_are_kept_and_never_pickled(fingerprints: Fingerprints) -> None:
    assert len(fingerprints) == 6
    assert fingerprints.counts == {PersonalData.DOCUMENT: 2, PersonalData.EMAIL: 2, PersonalData.CARD: 2}
    assert fingerprints.number_lengths == (11, 14, 16)
    held = repr(fingerprints) + repr(vars(fingerprints))
    assert CPF not in held and "ana.souza" not in held.lower() and CARD not in held
    with pytest.raises(TypeError, match="never leave"):
        pickle.dumps(fingerprints)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("pago por 529.982.247-25", {PersonalData.DOCUMENT: 1}),
        ("529 982 247 25 e 11.222.333/0001-81", {PersonalData.DOCUMENT: 2}),
        ("x52998224725y", {PersonalData.DOCUMENT: 1}),  # glued to letters
        ("529982247-25 / 4111 1111 1111 1111 12/28", {PersonalData.DOCUMENT: 1, PersonalData.CARD: 1}),
        ("0052998224725999", {}),  # inside a longer run of digits: not written as a document
        ("5299.8224.725", {}),  # not a document's layout
        ("4111.1111.1111.1111", {PersonalData.CARD: 1}),
        ('{"min":{"x":"ana.souza@gmail.com"}}', {PersonalData.EMAIL: 1}),
        ("xxANA.SOUZA@GMAIL.COM.br", {PersonalData.EMAIL: 1}),
        ("529XXXXXX25 ana.*****@*****.com 411111XXXXXX1111", {}),
        ("52998224726 4111111111111112", {}),
    ],
)
def test_text_search_normalises_separators_and_case(
    fingerprints: Fingerprints, text: str, kinds: dict[PersonalData, int]
) -> None:
    assert dict(fingerprints.find(text)) == kinds


def test_every_file_format_is_searched_to_its_leaves(fingerprints: Fingerprints, tmp_path: Path) -> None:
    nested = pa.table(
        {
            "add": pa.array(
                [{"path": "part-0.parquet", "stats": '{"minValues":{"d":"529.982.247-25"}}'}],
                pa.struct([("path", pa.string()), ("stats", pa.string())]),
            ),
            "tags": pa.array([{"k": "4111 1111 1111 1111"}], pa.map_(pa.string(), pa.string())),
            "ids": pa.array([["529.982.247-25"]], pa.list_(pa.string())),
            "key": pa.array([52998224725], pa.int64()),  # a number stored as a number: a key, not compared
        }
    )
    pq.write_table(nested, tmp_path / "00000000000000000010.checkpoint.parquet")
    clean = pa.table({"nome": ["Ana"], "documento": ["529XXXXXX25"], "id": [42000000001]})
    pq.write_table(clean, tmp_path / "clean.parquet")
    # A digest column named as not written: its digits are chance, not compared; the same text elsewhere is.
    pq.write_table(
        pa.table({"id": ["ab52998224725cd"], "nota": ["ab52998224725cd"]}), tmp_path / "skip.parquet"
    )
    pacsv.write_csv(
        pa.table({"a": ["ok", 'quoted "x", 11.222.333/0001-81'], "id": [52998224725, 2]}),
        tmp_path / "out.csv",
    )
    (tmp_path / "page.html").write_text("<td>ana.souza@gmail.com</td>" + "x" * 9_000_000 + "52998224725")

    found = {
        name: dict(search_file(fingerprints, resolve(tmp_path / name), frozenset({"id"})))
        for name in sorted(p.name for p in tmp_path.iterdir())
    }
    assert found == {
        "00000000000000000010.checkpoint.parquet": {PersonalData.DOCUMENT: 2, PersonalData.CARD: 1},
        "clean.parquet": {},
        "out.csv": {PersonalData.DOCUMENT: 1},
        "skip.parquet": {PersonalData.DOCUMENT: 1},
        "page.html": {PersonalData.EMAIL: 1, PersonalData.DOCUMENT: 1},  # across an 8 MiB chunk boundary
    }


def test_the_proof_names_where_and_what_never_the_value(fingerprints: Fingerprints, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"ok": true}')
    (tmp_path / "b.log").write_text("cliente 529.982.247-25")
    proof = prove(
        fingerprints,
        [resolve(tmp_path / "a.json"), resolve(tmp_path / "b.log")],
        [("artifact sicooperative-run-summary", "nothing here"), ("logs", f"card {CARD}")],
    )
    assert proof.summary() == "6 raw values searched in 4 files: 2 found"
    assert [hit.describe() for hit in proof.hits] == [f"{tmp_path / 'b.log'}: 1 document", "logs: 1 card"]
    assert CPF not in repr(proof) and CARD not in repr(proof)
    assert not proof.clean

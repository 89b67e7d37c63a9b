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
ALPHANUMERIC_CNPJ, UNICODE_EMAIL = "12.ABC.345/01DE-35", "João.Silva@Exemplo.com.br"


@pytest.fixture(scope="module")
def fingerprints() -> Fingerprints:
    associado = pa.table(
        {
            "cpf_cnpj": [CPF, CNPJ, ALPHANUMERIC_CNPJ],
            "email": [EMAIL, "contato@lojaboa.com.br", UNICODE_EMAIL],
        }
    )
    cartao = pa.table({"num_cartao": [CARD, "5500000000000004"]})
    return Fingerprints.of_batch({"associado": associado, "cartao": cartao}, (ASSOCIADO, CARTAO))


def test_only_hashes_are_kept_and_never_pickled(fingerprints: Fingerprints) -> None:
    assert len(fingerprints) == 8
    assert fingerprints.counts == {PersonalData.DOCUMENT: 3, PersonalData.EMAIL: 3, PersonalData.CARD: 2}
    assert fingerprints.number_lengths == (11, 14, 16)  # the alphanumeric CNPJ is compared by its characters
    held = repr(fingerprints) + repr(vars(fingerprints))
    assert CPF not in held and "ana.souza" not in held.lower() and CARD not in held
    assert "12ABC" not in held.upper() and "silva" not in held.lower()
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
        ("an***@***.br j***@***.com ***@*** 112XXXXXXXXX81", {}),  # the new e-mail mask, a masked CNPJ
        ("52998224726 4111111111111112", {}),
        # every form the detector reads: separators of any kind, digits of any script, format characters
        ("529_982_247_25", {PersonalData.DOCUMENT: 1}),
        ("529,982,247:25", {PersonalData.DOCUMENT: 1}),
        ("529\u2009982\u202f247\u201325", {PersonalData.DOCUMENT: 1}),
        ("５２９．９８２．２４７－２５", {PersonalData.DOCUMENT: 1}),
        ("٥٢٩٩٨٢٢٤٧٢٥", {PersonalData.DOCUMENT: 1}),
        ("5\u200b29.982.247\u00ad-25", {PersonalData.DOCUMENT: 1}),
        ("+55 529.982.247-25", {PersonalData.DOCUMENT: 1}),  # a `+` hides no neighbour
        ("529.982.247-25 " + " ".join(["123"] * 11), {PersonalData.DOCUMENT: 1}),  # 44 digits in all
        ("４１１１ １１１１ １１１１ １１１１", {PersonalData.CARD: 1}),
        # the alphanumeric CNPJ, in any case and form; glued to letters it is not written as one
        ("cnpj 12ABC34501DE35", {PersonalData.DOCUMENT: 1}),
        ("cnpj 12.abc.345/01de-35", {PersonalData.DOCUMENT: 1}),
        ("１２．ＡＢＣ．３４５／０１ＤＥ－３５", {PersonalData.DOCUMENT: 1}),
        ("x12ABC34501DE35", {}),
        # e-mail addresses case-folded and normalised on both sides
        ("ＡＮＡ．ＳＯＵＺＡ＠ＧＭＡＩＬ．ＣＯＭ", {PersonalData.EMAIL: 1}),
        ("ana.souza\u200b@gmail.com", {PersonalData.EMAIL: 1}),
        ("de: JOÃO.SILVA@EXEMPLO.COM.BR", {PersonalData.EMAIL: 1}),
        ("joão.silva@exemplo.com", {}),  # another address
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
    assert proof.summary() == "8 raw values searched in 4 files: 2 found"
    assert [hit.describe() for hit in proof.hits] == [f"{tmp_path / 'b.log'}: 1 document", "logs: 1 card"]
    assert CPF not in repr(proof) and CARD not in repr(proof)
    assert not proof.clean


def test_the_first_pass_keeps_every_value_the_search_reads(fingerprints: Fingerprints) -> None:
    """pyarrow's RE2 pass reads raw text: it must let through every form normalisation makes readable."""
    values = [
        "５２９．９８２．２４７－２５",
        "٥٢٩٩٨٢٢٤٧٢٥",
        "5\u200b2\u200b9\u200b9\u200b8\u200b2\u200b2\u200b4\u200b7\u200b2\u200b5",
        "529\u2009\u2009\u2009982_247_25",
        "𝟓𝟐𝟗𝟗𝟖𝟐𝟐𝟒𝟕𝟐𝟓",
        "ＡＮＡ．ＳＯＵＺＡ＠ＧＭＡＩＬ．ＣＯＭ",
        "ana.souza\u200b@\u200bgmail.com",
        "ana.souza﹫gmail.com",
        "１２．ａｂｃ．３４５／０１ｄｅ－３５",
        "12ABC\u200b34501DE35",
    ]
    array = pa.array(values)
    assert fingerprints.plausible(array).to_pylist() == [True] * len(values)
    assert [sum(fingerprints.find(value).values()) for value in values] == [1] * len(values)
    assert sum(fingerprints.find_in_array(array).values()) == len(values)
    clean = pa.array(["Compra em supermercado", "an***@***.br", "31/01/2024", None])
    assert fingerprints.plausible(clean).to_pylist() == [False] * 4

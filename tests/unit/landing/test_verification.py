from collections.abc import Callable
from pathlib import Path

import pytest

from tasks.landing.manifest import MANIFEST_NAME, ManifestError
from tasks.landing.rejection import REASON_FILE, move_aside
from tasks.landing.verification import BatchRejected, read_landed, verify_batch, verify_landed
from tests.utils.batches import land_batch, rewrite_file, rewrite_table


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    return land_batch(tmp_path)


def test_a_clean_batch_verifies_with_typed_columns(batch_dir: Path) -> None:
    verified = verify_batch(batch_dir)
    assert verified.rows("movimento") == 2_000
    assert str(verified.tables["movimento"].schema.field("vlr_transacao").type) == "decimal128(10, 2)"
    assert str(verified.tables["conta"].schema.field("data_criacao").type) == "timestamp[s]"


def test_missing_manifest_means_incomplete(batch_dir: Path) -> None:
    (batch_dir / MANIFEST_NAME).unlink()
    with pytest.raises(ManifestError, match="manifest not found"):
        verify_batch(batch_dir)


def test_altered_file_fails_its_checksum(batch_dir: Path) -> None:
    path = batch_dir / "conta.csv"
    path.write_bytes(path.read_bytes().replace(b"CORRENTE", b"POUPANCA", 1))
    with pytest.raises(BatchRejected, match=r"conta\.csv: sha256 differs"):
        verify_batch(batch_dir)


def test_truncated_file_fails_its_size(batch_dir: Path) -> None:
    path = batch_dir / "movimento.csv"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(BatchRejected, match=r"movimento\.csv: size"):
        verify_batch(batch_dir)


@pytest.mark.parametrize(
    ("file_name", "edit", "message"),
    [
        (
            "movimento.csv",
            lambda ls: [ls[0].replace(';"id_cartao"', "")] + [l.rsplit(";", 1)[0] for l in ls[1:]],
            r"movimento\.csv: header does not match: missing columns \['id_cartao'\]",
        ),
        (
            "associado.csv",
            lambda ls: [ls[0] + ';"extra"'] + [l + ";x" for l in ls[1:]],
            r"associado\.csv: header does not match: header fields that are not columns of associado: field 7 \(5 characters\)",
        ),
        (
            "movimento.csv",
            lambda ls: (
                [ls[0], ls[1].replace('";"', '";"', 1).replace(ls[1].split(";")[1], '"doze reais"', 1)]
                + ls[2:]
            ),
            r"movimento\.csv: row 1: column vlr_transacao is not a decimal\(10,2\)",
        ),
        (
            "conta.csv",
            lambda ls: [ls[0], ls[1], ls[2].replace(ls[2].split(";")[2], "2024-13-45 10:00:00")] + ls[3:],
            r"conta\.csv: row 2: column data_criacao is not a real date and time",
        ),
        (
            "cartao.csv",
            lambda ls: [ls[0], ls[1], ls[1]] + ls[2:],
            r"cartao\.csv: column id has 1 duplicated values \(first: rows 1 and 2 share one\)",
        ),
        (
            "associado.csv",
            lambda ls: [ls[0], ";" + ls[1].split(";", 1)[1]] + ls[2:],
            r"associado\.csv: row 1: column id is empty",
        ),
        (
            "movimento.csv",
            lambda ls: [ls[0], ls[1], ls[2] + ";7"] + ls[3:],
            r"movimento\.csv: row 2: malformed CSV row",
        ),
    ],
    ids=[
        "missing-column",
        "extra-column",
        "text-amount",
        "impossible-date",
        "duplicate-id",
        "null-id",
        "ragged-row",
    ],
)
def test_malformed_files_are_rejected_naming_file_and_problem(
    batch_dir: Path, file_name: str, edit: Callable[[list[str]], list[str]], message: str
) -> None:
    rewrite_file(batch_dir, file_name, edit)
    with pytest.raises(BatchRejected, match=message) as caught:
        verify_batch(batch_dir)
    assert caught.value.file_name == file_name


def test_errors_never_quote_the_offending_value(batch_dir: Path) -> None:
    rewrite_file(
        batch_dir, "associado.csv", lambda ls: [ls[0], ls[1].replace(ls[1].split(";")[3], "idade?")] + ls[2:]
    )
    with pytest.raises(BatchRejected) as caught:
        verify_batch(batch_dir)
    assert "idade?" not in str(caught.value)
    assert "column idade is not an integer" in str(caught.value)


def test_rejected_batch_is_moved_aside_with_its_reason(batch_dir: Path) -> None:
    moved = Path(move_aside(str(batch_dir), "conta.csv: broken").path)
    assert not batch_dir.exists()
    assert moved.parent.name == "_rejected" and (moved / "conta.csv").is_file()
    assert "conta.csv: broken" in (moved / REASON_FILE).read_text()


def test_a_byte_order_mark_on_any_file_is_accepted(batch_dir: Path) -> None:
    """Excel's "CSV UTF-8" starts every file with a BOM: not a wrong header."""
    for name in ("associado.csv", "conta.csv", "cartao.csv", "movimento.csv"):
        rewrite_file(batch_dir, name, lambda lines: ["\ufeff" + lines[0], *lines[1:]])
        assert (batch_dir / name).read_bytes().startswith(b"\xef\xbb\xbf")
    verified = verify_batch(batch_dir)
    assert verified.tables["associado"].column_names[0] == "id"
    assert verified.rows("movimento") == 2_000


def test_a_file_without_its_header_row_is_refused_without_quoting_its_first_row(batch_dir: Path) -> None:
    """The first data row then stands where the header should: its fields are named by position and length."""
    first_row = (batch_dir / "associado.csv").read_text(encoding="utf-8").splitlines()[1]
    rewrite_file(batch_dir, "associado.csv", lambda lines: lines[1:])
    with pytest.raises(BatchRejected) as caught:
        verify_batch(batch_dir)
    message = str(caught.value)
    assert (
        "header does not match: missing columns ['id', 'nome', 'sobrenome', 'idade', 'email', 'cpf_cnpj']"
        in message
    )
    assert "header fields that are not columns of associado: field 1 (" in message
    assert "a file without its header row?" in message
    for value in first_row.replace('"', "").split(";"):
        assert value not in message.split("associado.csv: ", 1)[1]


def test_a_reordered_header_is_read_by_name(batch_dir: Path) -> None:
    expected = verify_batch(batch_dir).tables
    rewrite_table(batch_dir, "cartao.csv", lambda table: table.select(list(reversed(table.column_names))))
    rewrite_table(batch_dir, "movimento.csv", lambda table: table.select(sorted(table.column_names)))
    verified = verify_batch(batch_dir)
    for name in ("cartao", "movimento"):
        assert verified.tables[name].equals(expected[name])


def test_what_is_checked_is_what_was_read_once(batch_dir: Path) -> None:
    """The typed tables come from the bytes whose checksum was verified: a later change of the file on disk
    changes nothing of what the loads take."""
    landed = read_landed(batch_dir)
    path = batch_dir / "conta.csv"
    path.write_bytes(path.read_bytes().replace(b"CORRENTE", b"POUPANCA"))
    verified = verify_landed(landed)
    assert "CORRENTE" in verified.tables["conta"]["tipo"].to_pylist()
    with pytest.raises(BatchRejected, match="sha256 differs"):
        verify_batch(batch_dir)

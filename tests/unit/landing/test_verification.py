from collections.abc import Callable
from pathlib import Path

import pytest

from tasks.landing.manifest import MANIFEST_NAME, ManifestError
from tasks.landing.rejection import REASON_FILE, move_aside
from tasks.landing.verification import BatchRejected, verify_batch
from tests.utils.batches import land_batch, rewrite_file


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    return land_batch(tmp_path)


def test_a_clean_batch_verifies_with_typed_columns(batch_dir: Path) -> None:
    verified = verify_batch(batch_dir)
    assert verified.rows("movimento") == 2_000
    assert str(verified.tables["movimento"].schema.field("vlr_transacao").type) == "decimal128(12, 2)"
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
            r"associado\.csv: header does not match: unexpected columns \['extra'\]",
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
            r"conta\.csv: row 2: column data_criacao is not a real date",
        ),
        ("cartao.csv", lambda ls: [ls[0], ls[1], ls[1]] + ls[2:], r"cartao\.csv: 1 duplicate ids"),
        (
            "associado.csv",
            lambda ls: [ls[0], ";" + ls[1].split(";", 1)[1]] + ls[2:],
            r"associado\.csv: row 1: column id is empty",
        ),
        ("movimento.csv", lambda ls: [ls[0], ls[1] + ";7"] + ls[2:], r"movimento\.csv: malformed CSV"),
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

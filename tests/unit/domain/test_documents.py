import numpy as np
import pytest

from tasks.domain.documents import (
    card_numbers,
    cnpj_from_base,
    cpf_from_base,
    is_luhn_valid,
    is_valid_cnpj,
    is_valid_cpf,
)


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ("529.982.247-25", True),
        ("52998224725", True),
        ("52998224726", False),  # wrong second check digit
        ("11111111111", False),  # repeated digits pass the arithmetic but are invalid
        ("5299822472", False),  # too short
    ],
)
def test_cpf_validation(document: str, valid: bool) -> None:
    assert is_valid_cpf(document) is valid


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        ("11.222.333/0001-81", True),
        ("11222333000181", True),
        ("11222333000182", False),
        ("00000000000000", False),
    ],
)
def test_cnpj_validation(document: str, valid: bool) -> None:
    assert is_valid_cnpj(document) is valid


def test_generated_documents_have_valid_check_digits() -> None:
    bases = np.arange(1_000, 2_000, dtype=np.int64) * 7_919
    assert all(is_valid_cpf(cpf) for cpf in cpf_from_base(bases % 10**9))
    assert all(is_valid_cnpj(cnpj) for cnpj in cnpj_from_base(bases))
    assert cpf_from_base(np.array([123456789]))[0] == "12345678909"


def test_card_numbers_are_luhn_valid_16_digits() -> None:
    cards = card_numbers(np.full(500, 453211, dtype=np.int64), np.arange(500, dtype=np.int64) * 104_729)
    assert all(len(card) == 16 and card.startswith("453211") for card in cards)
    assert all(is_luhn_valid(card) for card in cards)
    assert card_numbers(np.array([411111]), np.array([111111111]))[0] == "4111111111111111"


@pytest.mark.parametrize(
    ("number", "valid"), [("4111111111111111", True), ("4111111111111112", False), ("", False)]
)
def test_luhn(number: str, valid: bool) -> None:
    assert is_luhn_valid(number) is valid

"""Brazilian document numbers (CPF, CNPJ) and card numbers (Luhn).

Both directions live here: vectorised generation for the fake-data generator (numpy arrays of
integer bases in, digit strings out) and scalar validation for tests and load-time checks.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

_CPF_WEIGHTS_1 = np.arange(10, 1, -1)  # 10..2 over 9 digits
_CPF_WEIGHTS_2 = np.arange(11, 1, -1)  # 11..2 over 10 digits
_CNPJ_WEIGHTS_1 = np.array([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
_CNPJ_WEIGHTS_2 = np.array([6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])


def _digits(values: IntArray, width: int) -> IntArray:
    """Split each integer into `width` decimal digits, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def _mod11_check(digits: IntArray, weights: npt.NDArray[np.int64]) -> IntArray:
    remainder = (digits * weights).sum(axis=1) % 11
    return np.where(remainder < 2, 0, 11 - remainder)


def _join_digits(digits: IntArray) -> npt.NDArray[np.str_]:
    return np.array(["".join(map(str, row)) for row in digits.tolist()])


def _append_mod11_checks(
    bases: IntArray, width: int, first_weights: npt.NDArray[np.int64], second_weights: npt.NDArray[np.int64]
) -> npt.NDArray[np.str_]:
    """Append the two mod-11 check digits (each over all digits before it) shared by CPF and CNPJ."""
    digits = _digits(bases, width)
    digits = np.column_stack([digits, _mod11_check(digits, first_weights)])
    digits = np.column_stack([digits, _mod11_check(digits, second_weights)])
    return _join_digits(digits)


def cpf_from_base(bases: IntArray) -> npt.NDArray[np.str_]:
    """Turn 9-digit bases (0..999,999,999) into valid 11-digit CPFs."""
    return _append_mod11_checks(bases, 9, _CPF_WEIGHTS_1, _CPF_WEIGHTS_2)


def cnpj_from_base(bases: IntArray) -> npt.NDArray[np.str_]:
    """Turn 12-digit bases (root + branch) into valid 14-digit CNPJs."""
    return _append_mod11_checks(bases, 12, _CNPJ_WEIGHTS_1, _CNPJ_WEIGHTS_2)


def luhn_check_digits(payload: IntArray) -> IntArray:
    """Luhn check digit for each row of payload digits (most significant first)."""
    width = payload.shape[1]
    # Counting from the right of the payload, positions 0, 2, 4... are doubled once the
    # check digit is appended after them.
    doubled = ((width - 1 - np.arange(width)) % 2) == 0
    values = np.where(doubled, payload * 2, payload)
    values = np.where(values > 9, values - 9, values)
    checks: IntArray = (10 - values.sum(axis=1) % 10) % 10
    return checks


def card_numbers(bins: IntArray, accounts: IntArray, account_width: int = 9) -> npt.NDArray[np.str_]:
    """Luhn-valid card numbers: 6-digit BIN + account digits + check digit."""
    payload = np.column_stack([_digits(bins, 6), _digits(accounts, account_width)])
    return _join_digits(np.column_stack([payload, luhn_check_digits(payload)]))


def only_digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def is_valid_cpf(value: str) -> bool:
    digits = only_digits(value)
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    return bool(cpf_from_base(np.array([int(digits[:9])], dtype=np.int64))[0] == digits)


def is_valid_cnpj(value: str) -> bool:
    digits = only_digits(value)
    if len(digits) != 14 or len(set(digits)) == 1:
        return False
    return bool(cnpj_from_base(np.array([int(digits[:12])], dtype=np.int64))[0] == digits)


def is_luhn_valid(value: str) -> bool:
    digits = only_digits(value)
    if not digits or len(digits) != len(value.replace(" ", "").replace("-", "")):
        return False
    payload = np.array([[int(ch) for ch in digits[:-1]]], dtype=np.int64)
    return int(luhn_check_digits(payload)[0]) == int(digits[-1])

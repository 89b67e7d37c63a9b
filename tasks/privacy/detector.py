"""What raw personal data looks like, as native Spark column expressions (no Python UDFs).

Declared once and used everywhere a value must be judged: the quality gate flags every row that carries a raw
CPF, CNPJ, card number or e-mail address in any string column (the flag column is what the Great Expectations
suite validates), and the transform marks source documents and card numbers whose check digits do not verify.

A number is recognised the way Brazilian documents and payment cards are written (`tasks/privacy/forms.py`):
digit groups joined by spaces, dots, dashes or slashes (any mix, or none) at the positions of its own layout:

- CPF, 11 digits: group boundaries among 3, 6, 9 (`529.982.247-25`, `529982247-25`, `52998224725`), with
  valid mod-11 check digits;
- CNPJ, 14 digits: boundaries among 2, 5, 8, 12 (`11.222.333/0001-81`, `11222333000181`), valid check digits;
- card number, 13-19 digits: boundaries among 4, 8, 12, 16, or among 4, 10 (American Express, Diners), passing
  the Luhn check.

Near misses pass because their layout or check digits differ: phone numbers (`(11) 98765-4321` groups 2-5-4;
a leading `+` marks an international number), CEP (8 digits), dates and amounts (too few digits), boleto lines
and NF-e access keys (44, 47 or 48 digits: skipped whole), masked values (`529XXXXXX25`), numbers whose check
digits do not verify. A candidate is any run of up to five consecutive digit groups of a token, so a document
followed by other numbers (`4111 1111 1111 1111 12/28`) is still found; one run of raw digits is never cut.

Each intermediate value is bound once (`_let`, nested `transform`s): written as plain nested expressions, every
reference would copy its whole subtree, and the plan would grow past what Spark can compile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from pyspark.sql import Column
from pyspark.sql import functions as F

from tasks.privacy.forms import (
    CARD_LAYOUTS,
    CARD_MAX_DIGITS,
    CARD_MIN_DIGITS,
    CNPJ_BOUNDARIES,
    CNPJ_DIGITS,
    CPF_BOUNDARIES,
    CPF_DIGITS,
    EMAIL_ADDRESS,
    ENOUGH_DIGITS,
    MAX_GROUPS,
    NUMBER_TOKEN,
    SEPARATOR_CHARS,
    SKIPPED_TOKEN_DIGITS,
)

_CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS_2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


class Found(StrEnum):
    """Kinds of raw personal data the detector names (never the value itself)."""

    CPF = "cpf"
    CNPJ = "cnpj"
    CARD = "cartao"
    EMAIL = "email"


def _ints(values: Sequence[int]) -> Column:
    return F.array(*[F.lit(value) for value in values])


def _let(value: Column, body: Callable[[Column], Column]) -> Column:
    """`body(value)` with `value` evaluated once: Spark SQL has no `let`, so a one-element transform binds
    it (otherwise every reference would copy, and re-evaluate, the whole expression)."""
    return F.element_at(F.transform(F.array(value), body), 1)


def _digit_array(digits: Column) -> Column:
    """'52998224725' -> [5, 2, 9, ...]."""
    return F.transform(F.split(digits, ""), lambda character: character.cast("int"))


def _all_same(digits: Column) -> Column:
    return F.regexp_replace(digits, F.substring(digits, 1, 1), "") == F.lit("")


def _mod11_check(values: Column, weights: Sequence[int]) -> Column:
    """The mod-11 check digit over the first len(weights) digits (0 when the remainder is below 2)."""
    total = F.aggregate(
        F.sequence(F.lit(1), F.lit(len(weights))),
        F.lit(0),
        lambda acc, k: acc + F.element_at(values, k) * F.element_at(_ints(weights), k),
    )
    return _let(total % 11, lambda remainder: F.when(remainder < 2, F.lit(0)).otherwise(11 - remainder))


def _cpf_valid(digits: Column, values: Column) -> Column:
    return (
        (F.length(digits) == CPF_DIGITS)
        & ~_all_same(digits)
        & (_mod11_check(values, tuple(range(10, 1, -1))) == F.element_at(values, 10))
        & (_mod11_check(values, tuple(range(11, 1, -1))) == F.element_at(values, 11))
    )


def _cnpj_valid(digits: Column, values: Column) -> Column:
    return (
        (F.length(digits) == CNPJ_DIGITS)
        & ~_all_same(digits)
        & (_mod11_check(values, _CNPJ_WEIGHTS_1) == F.element_at(values, 13))
        & (_mod11_check(values, _CNPJ_WEIGHTS_2) == F.element_at(values, 14))
    )


def _luhn_valid(digits: Column, values: Column) -> Column:
    size = F.size(values)

    def weighted(k: Column) -> Column:  # k counts from the right, 1-based: every second digit is doubled
        digit = F.element_at(values, size - k + 1)
        return F.when(k % 2 == 0, F.when(digit > 4, digit * 2 - 9).otherwise(digit * 2)).otherwise(digit)

    total = F.aggregate(F.sequence(F.lit(1), size), F.lit(0), lambda acc, k: acc + weighted(k))
    return F.length(digits).between(CARD_MIN_DIGITS, CARD_MAX_DIGITS) & ~_all_same(digits) & (total % 10 == 0)


def _with_values(digits: Column, check: Callable[[Column, Column], Column]) -> Column:
    return _let(digits, lambda bound: _let(_digit_array(bound), lambda values: check(bound, values)))


def cpf_check_digits_valid(digits: Column) -> Column:
    """True for 11 digits (no separators) whose two check digits verify; a run of one digit is not a CPF."""
    return _with_values(digits, _cpf_valid)


def cnpj_check_digits_valid(digits: Column) -> Column:
    """True for 14 digits (no separators) whose two check digits verify."""
    return _with_values(digits, _cnpj_valid)


def luhn_valid(digits: Column) -> Column:
    """True for 13-19 digits (no separators) passing the Luhn check, not all one digit."""
    return _with_values(digits, _luhn_valid)


def document_check_digits_valid(value: Column) -> Column:
    """A CPF or CNPJ as stored in a source (any punctuation) whose check digits verify; null stays null."""
    return F.when(value.isNull(), F.lit(None).cast("boolean")).otherwise(
        _with_values(
            F.regexp_replace(value, "[^0-9]", ""),
            lambda digits, values: _cpf_valid(digits, values) | _cnpj_valid(digits, values),
        )
    )


def card_number_valid(value: Column) -> Column:
    """A card number as stored in a source (digits, maybe spaced) that passes Luhn; null stays null."""
    return F.when(value.isNull(), F.lit(None).cast("boolean")).otherwise(
        luhn_valid(F.regexp_replace(value, "[^0-9]", ""))
    )


def _fits(boundaries: Column, allowed: Sequence[int]) -> Column:
    return F.forall(boundaries, lambda boundary: F.array_contains(_ints(allowed), boundary))


def _runs(groups: Column) -> Column:
    """Every run of 1..MAX_GROUPS consecutive digit groups: array<array<string>>."""
    n = F.size(groups)
    return F.flatten(
        F.transform(
            F.sequence(F.lit(1), n),
            lambda i: F.transform(
                F.sequence(F.lit(1), F.least(F.lit(MAX_GROUPS), n - i + 1)), lambda k: F.slice(groups, i, k)
            ),
        )
    )


def _boundaries(run: Column) -> Column:
    """Digit counts before each inner separator of a run of groups: [529, 982, 247, 25] -> [3, 6, 9]."""
    return F.when(
        F.size(run) > 1,
        F.transform(
            F.sequence(F.lit(1), F.size(run) - 1),
            lambda m: F.aggregate(F.slice(run, 1, m), F.lit(0), lambda acc, g: acc + F.length(g)),
        ),
    ).otherwise(F.array().cast("array<int>"))


def _kinds_of_run(run: Column) -> Column:
    """The kinds of personal data one run of digit groups is (usually none)."""

    def judge(digits: Column, values: Column, boundaries: Column) -> Column:
        length = F.length(digits)
        card_layout = _fits(boundaries, CARD_LAYOUTS[0]) | _fits(boundaries, CARD_LAYOUTS[1])
        return F.array(
            F.when(
                (length == CPF_DIGITS) & _fits(boundaries, CPF_BOUNDARIES) & _cpf_valid(digits, values),
                F.lit(Found.CPF.value),
            ),
            F.when(
                (length == CNPJ_DIGITS) & _fits(boundaries, CNPJ_BOUNDARIES) & _cnpj_valid(digits, values),
                F.lit(Found.CNPJ.value),
            ),
            F.when(
                length.between(CARD_MIN_DIGITS, CARD_MAX_DIGITS) & card_layout & _luhn_valid(digits, values),
                F.lit(Found.CARD.value),
            ),
        )

    digits = F.array_join(run, "")
    plausible = F.length(digits).between(CPF_DIGITS, CARD_MAX_DIGITS)
    return F.when(
        plausible,
        _let(
            digits,
            lambda bound: _let(
                _digit_array(bound),
                lambda values: _let(_boundaries(run), lambda boundaries: judge(bound, values, boundaries)),
            ),
        ),
    ).otherwise(F.array().cast("array<string>"))


def _token_digits(token: Column) -> Column:
    return F.length(F.regexp_replace(token, "[^0-9]", ""))


def personal_data_in(text: Column) -> Column:
    """array<string> of the kinds of raw personal data in a string (empty when none; null for null)."""
    tokens = F.filter(
        F.regexp_extract_all(text, F.lit(NUMBER_TOKEN), 0),
        lambda token: (
            ~token.startswith("+")
            & _let(_token_digits(token), lambda n: (n >= CPF_DIGITS) & ~n.isin(*SKIPPED_TOKEN_DIGITS))
        ),
    )
    groups = F.transform(tokens, lambda token: F.split(token, f"[{SEPARATOR_CHARS}]+"))
    numbers = F.flatten(
        F.transform(groups, lambda token_groups: F.flatten(F.transform(_runs(token_groups), _kinds_of_run)))
    )
    email = F.when(text.rlike(EMAIL_ADDRESS), F.array(F.lit(Found.EMAIL.value))).otherwise(
        F.array().cast("array<string>")
    )
    return F.array_distinct(F.concat(F.filter(numbers, lambda kind: kind.isNotNull()), email))


def personal_data_flag(columns: Sequence[str]) -> Column:
    """Per row: null when no string column carries raw personal data, else the kinds found (`cpf,email`),
    never the value. The columns are joined by a character no number or address can span and judged once;
    two compiled regular expressions screen the row first, so the higher-order functions (which Spark
    interprets row by row) run only on rows holding a long enough number or an e-mail address."""
    if not columns:
        return F.lit(None).cast("string")
    joined = F.concat_ws("\u0001", *[F.coalesce(F.col(name), F.lit("")) for name in columns])
    kinds = F.array_join(F.array_sort(personal_data_in(joined)), ",")
    screened = joined.rlike(ENOUGH_DIGITS) | joined.rlike(EMAIL_ADDRESS)
    return F.when(screened & (kinds != F.lit("")), kinds)


def personal_data_by_column(columns: Sequence[str]) -> Column:
    """`column:kind,...; ...` for a row: where the flag found what (a diagnosis for flagged rows only)."""

    def found_in(name: str) -> Column:
        return _let(
            personal_data_in(F.col(name)),
            lambda kinds: F.when(
                F.size(kinds) > 0, F.concat(F.lit(f"{name}:"), F.array_join(F.array_sort(kinds), ","))
            ),
        )

    return F.concat_ws("; ", *[found_in(name) for name in columns])

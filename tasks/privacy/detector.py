"""What raw personal data looks like, as native Spark column expressions (no Python UDFs).

Declared once and used everywhere a value must be judged: the quality gate flags every row that carries a raw
CPF, CNPJ, card number or e-mail address in any string column (the flag column is what the Great Expectations
suite validates), and the transform marks source documents and card numbers whose check digits do not verify.

A text is first normalised as `tasks/privacy/forms.py` declares (one `translate` from a table built from
Python's `unicodedata`: digits of every script to ASCII, single-character compatibility forms such as
full-width letters replaced, format characters such as zero-width spaces deleted). A number is then recognised
the way Brazilian documents and payment cards are written: digit groups joined by one to three separators (any
character that is not a letter or a digit: spaces of every kind, dots, dashes, slashes, underscores, commas,
colons, parentheses...), at the positions of its own layout:

- CPF, 11 digits: group boundaries among 3, 6, 9 (`529.982.247-25`, `529982247-25`, `52998224725`), with
  valid mod-11 check digits;
- CNPJ, 14 digits: boundaries among 2, 5, 8, 12 (`11.222.333/0001-81`, `11222333000181`), valid check digits;
  the alphanumeric CNPJ (`12.ABC.345/01DE-35`, `12ABC34501DE35`: 12 digits or upper-case letters, then two
  check digits) in the same groups, not glued to other letters or digits, with at least one letter;
- card number, 13-19 digits: boundaries among 4, 8, 12, 16, or among 4, 10 (American Express, Diners), passing
  the Luhn check.

Near misses pass because their layout or check digits differ: phone numbers (`(11) 98765-4321` groups 2-5-4;
the runs starting at a group written right after a `+` are an international number, `+5511987654321`), CEP (8
digits), dates and amounts (too few digits), boleto lines and NF-e access keys in their printed layouts
(skipped whole; the same digits in any other layout are judged), masked values (`529XXXXXX25`), numbers whose
check digits do not verify. A candidate is any run of up to five consecutive digit groups of a token, so a
document next to other numbers (`4111 1111 1111 1111 12/28`, `+55 529.982.247-25`) is still found; one run of
raw digits is never cut.

Each intermediate value is bound once (`_let`, nested `transform`s): written as plain nested expressions, every
reference would copy its whole subtree, and the plan would grow past what Spark can compile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tasks.privacy.forms import (
    ALPHANUMERIC_CNPJ_SCREEN,
    ANY_LAYOUT_RUN,
    CARD_MAX_DIGITS,
    CARD_MIN_DIGITS,
    CARD_RUNS,
    CNPJ_DIGITS,
    CNPJ_RUN,
    CNPJ_WEIGHTS_1,
    CNPJ_WEIGHTS_2,
    CPF_DIGITS,
    CPF_RUN,
    DOCUMENT_SCREEN,
    EMAIL_SCREEN,
    JAVA,
    JAVA_NEEDS_NORMALISING,
    MASK_RUN,
    NORMALISED_FROM,
    NORMALISED_TO,
    NUMBER_SCREEN,
    ROW_JOINER,
    SKIPPED_LAYOUT,
    Found,
)


def _ints(values: Sequence[int]) -> Column:
    return F.array(*[F.lit(value) for value in values])


def _empty() -> Column:
    return F.array().cast("array<string>")


def _let(value: Column, body: Callable[[Column], Column]) -> Column:
    """`body(value)` with `value` evaluated once: Spark SQL has no `let`, so a one-element transform binds
    it (otherwise every reference would copy, and re-evaluate, the whole expression)."""
    return F.element_at(F.transform(F.array(value), body), 1)


def _digit_array(digits: Column) -> Column:
    """'52998224725' -> [5, 2, 9, ...]; for the alphanumeric CNPJ each character counts its ASCII code - 48."""
    return F.transform(F.split(digits, ""), lambda character: F.ascii(character) - 48)


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
    """14 digits, or the alphanumeric CNPJ's 12 digits or letters and 2 digits (values: ASCII code - 48)."""
    return (
        (F.length(digits) == CNPJ_DIGITS)
        & ~_all_same(digits)
        & (_mod11_check(values, CNPJ_WEIGHTS_1) == F.element_at(values, 13))
        & (_mod11_check(values, CNPJ_WEIGHTS_2) == F.element_at(values, 14))
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


def _holds(text: Column, pattern: str) -> Column:
    """Whether the pattern occurs in the text. Not `rlike`: inside higher-order functions an `rlike` costs per
    row what compiling its pattern costs (measured: 35 µs a row for the e-mail pattern), while the
    regexp_extract family keeps its last compiled pattern."""
    return F.regexp_instr(text, F.lit(pattern)) > 0


def normalised(text: Column) -> Column:
    """The text as the rules read it (`tasks.privacy.forms.normalise`, the same table); a text holding no
    character the table changes, as most do, is not translated (an ASCII text is not even searched)."""
    needs = (F.octet_length(text) != F.length(text)) & _holds(text, JAVA_NEEDS_NORMALISING)
    return F.when(needs, F.translate(text, NORMALISED_FROM, NORMALISED_TO)).otherwise(text)


def _judged(token: Column) -> Column:
    """Whether a token may hold a document or card: long enough, some run of its groups laid out as one (not
    starting right after a `+`), and not itself laid out as a skipped number. Most tokens stop here."""
    return (F.length(token) >= CPF_DIGITS) & _holds(token, ANY_LAYOUT_RUN) & ~_holds(token, SKIPPED_LAYOUT)


def _kinds_of_token(token: Column) -> Column:
    """The kinds of personal data in a judged token: its runs of whole groups laid out as a document or card
    is (`CPF_RUN`, ...), whose check digits verify."""

    def found(patterns: Sequence[str], kind: Found, check: Callable[[Column, Column], Column]) -> Column:
        runs = F.concat(*[F.regexp_extract_all(token, F.lit(pattern), 1) for pattern in patterns])
        return F.when(
            F.exists(runs, lambda run: _with_values(F.regexp_replace(run, "[^0-9]", ""), check)),
            F.lit(kind.value),
        )

    return F.array(
        found([CPF_RUN], Found.CPF, _cpf_valid),
        found(CARD_RUNS, Found.CARD, _luhn_valid),
        found([CNPJ_RUN], Found.CNPJ, _cnpj_valid),
    )


def _alphanumeric_cnpj_valid(candidate: Column) -> Column:
    """A candidate of the alphanumeric CNPJ's layout: holds a letter, is not a mask, its check digits verify."""
    characters = F.regexp_replace(candidate, "[^0-9A-Z]", "")
    return _let(
        characters,
        lambda bound: (
            (F.translate(bound, "0123456789", "") != F.lit(""))
            & ~bound.contains(MASK_RUN)
            & _let(_digit_array(bound), lambda values: _cnpj_valid(bound, values))
        ),
    )


def _personal_data_in_normalised(text: Column) -> Column:
    """The kinds in a normalised text. Each kind's cheap screen (a small ASCII pattern, compiled code) decides
    whether its exact rules run: the numbers' higher-order functions, which Spark interprets row by row, and
    the long patterns of the alphanumeric CNPJ and the e-mail address."""

    tokens = F.filter(F.regexp_extract_all(text, F.lit(JAVA.token), 0), _judged)
    screened = _holds(text, DOCUMENT_SCREEN)  # one pass for both screens below; most rows stop here
    numbers = F.when(
        screened & _holds(text, NUMBER_SCREEN),
        F.filter(F.flatten(F.transform(tokens, _kinds_of_token)), lambda kind: kind.isNotNull()),
    ).otherwise(_empty())
    alphanumeric = F.when(
        screened
        & _holds(text, ALPHANUMERIC_CNPJ_SCREEN)
        & F.exists(F.regexp_extract_all(text, F.lit(JAVA.alphanumeric_cnpj), 1), _alphanumeric_cnpj_valid),
        F.array(F.lit(Found.CNPJ.value)),
    ).otherwise(_empty())
    email = F.when(
        (F.instr(text, "@") > 0) & _holds(text, EMAIL_SCREEN) & _holds(text, JAVA.email),
        F.array(F.lit(Found.EMAIL.value)),
    ).otherwise(_empty())
    return F.array_distinct(F.concat(numbers, alphanumeric, email))


def personal_data_in(text: Column) -> Column:
    """array<string> of the kinds of raw personal data in a string (empty when none; null for null)."""
    return F.when(text.isNotNull(), _personal_data_in_normalised(normalised(text)))


def row_text(columns: Sequence[str]) -> Column:
    """A row's string columns joined by a character no number or address can span, normalised: what the flag
    reads. Give it its own column (`with_personal_data_flag`) so the flag refers to it rather than copying the
    normalisation's table into each of its uses."""
    joined = F.concat_ws(ROW_JOINER, *[F.coalesce(F.col(name), F.lit("")) for name in columns])
    return normalised(joined)


def flag_of(text: Column) -> Column:
    """The flag of a row's text (`row_text`): null when it carries no raw personal data, else the kinds found
    (`cpf,email`), never the value."""
    kinds = _personal_data_in_normalised(text)
    return F.when(F.size(kinds) > 0, F.array_join(F.array_sort(kinds), ","))


def personal_data_flag(columns: Sequence[str]) -> Column:
    """Per row: null when no string column carries raw personal data, else the kinds found (`cpf,email`),
    never the value. The columns are joined, normalised and judged once."""
    if not columns:
        return F.lit(None).cast("string")
    return flag_of(row_text(columns))


def with_personal_data_flag(frame: DataFrame, columns: Sequence[str], name: str) -> DataFrame:
    """The frame with the flag of `columns` as column `name`, the row's text read in a projection of its own
    (Spark keeps a projection whose costly result is used several times apart from the next one), so plans,
    task binaries and event logs hold the normalisation's table once rather than once per use."""
    if not columns:
        return frame.withColumn(name, F.lit(None).cast("string"))
    text = f"__{name}_text"
    return frame.withColumn(text, row_text(columns)).withColumn(name, flag_of(F.col(text))).drop(text)


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

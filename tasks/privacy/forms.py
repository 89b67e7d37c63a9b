"""How raw personal data is written: the shapes both privacy nets look for, declared once.

The detector (`tasks.privacy.detector`, Spark) and the leak proof (`tasks.privacy.fingerprints`, Python) read
the same forms. A number is digit groups joined by spaces, dots, dashes or slashes (any mix, or none) at the
positions of its layout; any run of up to MAX_GROUPS consecutive groups of a token is a candidate, so a document
followed by other numbers (`4111 1111 1111 1111 12/28`) is still seen, while one run of raw digits is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

SEPARATOR_CHARS = r"\s\u00a0./\-\u2010-\u2015\u2212"  # whitespace, dots, slashes, hyphens and dashes
# A number as people write it: digit groups joined by one to three separators; `+` marks a phone number.
NUMBER_TOKEN = rf"\+?[0-9]+(?:[{SEPARATOR_CHARS}]{{1,3}}[0-9]+)*"
# The `@` first, then a look back at the user part: a text is scanned at its `@`s only, not at every character.
# Bounded parts (RFC 5321 limits): linear time whatever the text.
EMAIL_ADDRESS = r"@(?<=[A-Za-z0-9._%+\-]@)[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
# Cheap screen: at least 11 digits with at most three separators between consecutive ones. A text without
# such a run holds no document or card number, whatever its layout.
ENOUGH_DIGITS = rf"[0-9](?:[{SEPARATOR_CHARS}]{{0,3}}[0-9]){{10}}"
MAX_GROUPS = 5  # the most groups any layout has (CNPJ 2.3.3/4-2, card 4 4 4 4 3)
SKIPPED_TOKEN_DIGITS = (44, 47, 48)  # NF-e access keys and bar codes, boleto lines: never one document

CPF_DIGITS, CNPJ_DIGITS = 11, 14
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
CPF_BOUNDARIES = (3, 6, 9)
CNPJ_BOUNDARIES = (2, 5, 8, 12)
CARD_LAYOUTS = ((4, 8, 12, 16), (4, 10))

_TOKEN = re.compile(NUMBER_TOKEN)
_GROUP_SEPARATOR = re.compile(f"[{SEPARATOR_CHARS}]+")


def fits(boundaries: Sequence[int], allowed: Sequence[int]) -> bool:
    return all(boundary in allowed for boundary in boundaries)


def layout_fits(length: int, boundaries: Sequence[int]) -> bool:
    """Whether digits of this length, grouped at these boundaries, are written as some document or card is."""
    if length == CPF_DIGITS and fits(boundaries, CPF_BOUNDARIES):
        return True
    if length == CNPJ_DIGITS and fits(boundaries, CNPJ_BOUNDARIES):
        return True
    return CARD_MIN_DIGITS <= length <= CARD_MAX_DIGITS and any(
        fits(boundaries, layout) for layout in CARD_LAYOUTS
    )


def written_numbers(text: str, lengths: Sequence[int] | None = None) -> Iterator[str]:
    """Every candidate number in a text, as digits only: runs of up to MAX_GROUPS consecutive groups of a
    token, laid out as some document or card is (and of one of `lengths`, when given)."""
    for token in _TOKEN.findall(text):
        groups = _GROUP_SEPARATOR.split(token.lstrip("+"))
        for start in range(len(groups)):
            length, boundaries = 0, []
            for group in groups[start : start + MAX_GROUPS]:
                if length:
                    boundaries.append(length)
                length += len(group)
                if length > CARD_MAX_DIGITS:
                    break
                if (lengths is None or length in lengths) and layout_fits(length, boundaries):
                    yield "".join(groups[start : start + len(boundaries) + 1])

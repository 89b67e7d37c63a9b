"""Raw personal values written in a text, found by a plain-Python reading of the detector's forms.

Two nets use it where no contract column says where the personal data is: the guard every value-free error
message passes through (`tasks.errors.ValueFree`), and the leak proof's fingerprints of a batch that could not
be read by its contract (a file without its header row, a ragged file: its raw values are still somewhere in
its bytes). A number counts only when it is written as a document or card is (`tasks.privacy.forms`) and its
check digits verify, so counts, dates, sizes and ids do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tasks.domain.contract import PersonalData
from tasks.domain.documents import is_luhn_valid, is_valid_cnpj, is_valid_cpf
from tasks.privacy.forms import CARD_MAX_DIGITS, CARD_MIN_DIGITS, CNPJ_DIGITS, CPF_DIGITS, written_numbers

# An address as people write it, Unicode letters included: bounded parts keep the search linear.
_EMAIL = re.compile(r"[\w.%+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
_TEXT_CHUNK = 1 << 22


def _number_kind(digits: str) -> PersonalData | None:
    if len(digits) == CPF_DIGITS and is_valid_cpf(digits):
        return PersonalData.DOCUMENT
    if len(digits) == CNPJ_DIGITS and is_valid_cnpj(digits):
        return PersonalData.DOCUMENT
    if CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and len(set(digits)) > 1 and is_luhn_valid(digits):
        return PersonalData.CARD
    return None


def raw_values_in(text: str) -> Iterator[tuple[PersonalData, str]]:
    """(kind, value) of every raw document, card number and e-mail address written in `text`."""
    for digits in written_numbers(text):
        kind = _number_kind(digits)
        if kind is not None:
            yield kind, digits
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield PersonalData.EMAIL, match.group()


def holds_raw_values(text: str) -> bool:
    return next(raw_values_in(text), None) is not None


def raw_values_in_bytes(chunks: Iterable[bytes]) -> Iterator[tuple[PersonalData, str]]:
    """The same over a byte stream read as UTF-8 (invalid bytes replaced), line-aligned chunk by chunk."""
    tail = b""
    for chunk in chunks:
        data = tail + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0 and len(data) < _TEXT_CHUNK:
            tail = data
            continue
        cut = cut or len(data)
        yield from raw_values_in(data[:cut].decode("utf-8", errors="replace"))
        tail = data[cut:]
    if tail:
        yield from raw_values_in(tail.decode("utf-8", errors="replace"))

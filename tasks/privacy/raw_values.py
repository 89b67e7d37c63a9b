"""Raw personal values written in a text, found by the detector's plain-Python reading (`tasks.privacy.forms`).

Two nets use it where no contract column says where the personal data is: the guard every value-free error
message passes through (`tasks.errors.ValueFree`), and the leak proof's fingerprints of a batch that could not
be read by its contract (a file without its header row, a ragged file: its raw values are still somewhere in
its bytes). The text is normalised as the detector normalises it (digits of any script, compatibility forms,
format characters); a number counts only when it is written as a document or card is and its check digits
verify, so counts, dates, sizes and ids do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tasks.domain.contract import PersonalData
from tasks.privacy.forms import (
    CARD_MAX_DIGITS,
    CARD_MIN_DIGITS,
    CNPJ_DIGITS,
    CPF_DIGITS,
    alphanumeric_cnpjs,
    cnpj_verifies,
    cpf_verifies,
    email_addresses,
    luhn_verifies,
    normalise,
    personal_data_kinds,
    written_numbers,
)

_TEXT_CHUNK = 1 << 22


def _number_kind(digits: str) -> PersonalData | None:
    if (len(digits) == CPF_DIGITS and cpf_verifies(digits)) or (
        len(digits) == CNPJ_DIGITS and cnpj_verifies(digits)
    ):
        return PersonalData.DOCUMENT
    if CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and luhn_verifies(digits):
        return PersonalData.CARD
    return None


def raw_values_in(text: str) -> Iterator[tuple[PersonalData, str]]:
    """(kind, value) of every raw document, card number and e-mail address written in `text`."""
    normalised = normalise(text)
    for digits in written_numbers(normalised, normalised=True):
        kind = _number_kind(digits)
        if kind is not None:
            yield kind, digits
    for characters in alphanumeric_cnpjs(normalised, any_case=True):
        if cnpj_verifies(characters):
            yield PersonalData.DOCUMENT, characters
    if "@" in normalised:
        for address in email_addresses(normalised):
            yield PersonalData.EMAIL, address


def holds_raw_values(text: str) -> bool:
    """Whether the detector's reading finds any raw document, card number or e-mail address in `text`."""
    return bool(personal_data_kinds(text))


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

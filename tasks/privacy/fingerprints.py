"""Every raw personal value of a batch, kept only as salted hashes, and the search for them in any text.

Built from the landed batch at load time (the columns the table declarations mark as personal), before anything
else reads it. The salt is random, made per run and never written anywhere: the hashes cannot be tested
against guesses outside this process, and the object refuses to be pickled, so no result store, cache or
Prefect state can hold it.

Searching is exact-match on text read as the detector reads it (`tasks/privacy/forms.py`): stored values and
searched texts are normalised alike (digits of any script in ASCII, full-width and other compatibility forms
replaced, zero-width and other format characters deleted); a text's numbers are runs of digit groups joined by
separators (any characters that are not letters or digits) at a document's or a card's layout, their digits
hashed and looked up, so `529.982.247-25`, `529_982_247_25`, `５２９９８２２４７２５` and `52998224725` are one
value; alphanumeric CNPJs (`12.ABC.345/01DE-35`) are compared by their 14 characters, upper-cased; e-mail
addresses are compared case-folded, with any prefix glued to the user part or suffix glued to the domain trimmed
off. Only numbers written as documents are compared: an 11-digit key or a window cut out of a longer run of
digits would match some raw value by chance once a batch holds millions of them. Nothing found is ever reported
as a value: only its kind and where.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import NoReturn

import pyarrow as pa
import pyarrow.compute as pc

from tasks.domain.contract import PersonalData, Table
from tasks.privacy.forms import (
    ASCII_LAYOUT_SCREEN,
    RAW_ALPHANUMERIC_CNPJ_SCREEN,
    RAW_EMAIL_SCREEN,
    alphanumeric_cnpjs,
    cnpj_characters,
    email_addresses,
    normalise,
    raw_digits_screen,
    written_numbers,
)

_CACHE_LIMIT = 1_000_000  # values already searched (the same text recurs in Delta, Parquet and CSV)
_NUMBER_KINDS = (PersonalData.DOCUMENT, PersonalData.CARD)
_NOT_DIGIT = re.compile("[^0-9]")


def _number_key(raw: str) -> tuple[str, bool]:
    """A stored number as compared: its digits, or an alphanumeric CNPJ's 14 characters (True)."""
    characters = cnpj_characters(raw)
    if characters is not None and not characters.isdigit():
        return characters, True
    return _NOT_DIGIT.sub("", normalise(raw)), False


def _email_key(text: str) -> str:
    return normalise(text).casefold()


class Fingerprints:
    """Salted hashes of a batch's raw personal values, by kind."""

    def __init__(self, values: Iterable[tuple[PersonalData, str]]) -> None:
        self._salt = os.urandom(32)
        self._kinds: dict[bytes, PersonalData] = {}
        lengths: set[int] = set()
        self._alphanumeric = False  # whether any document is an alphanumeric CNPJ (searched for only then)
        for kind, raw in values:
            if kind in _NUMBER_KINDS:
                key, alphanumeric = _number_key(raw)
                self._alphanumeric |= alphanumeric
                if key and not alphanumeric:
                    lengths.add(len(key))
            else:
                key = _email_key(raw).strip()
            if key:
                self._kinds[self._digest(key)] = kind
        self.number_lengths = tuple(sorted(lengths))
        self.counts = Counter(self._kinds.values())
        self._searched: dict[str, Counter[PersonalData]] = {}

    @classmethod
    def of_batch(cls, tables: Mapping[str, pa.Table], declarations: Sequence[Table]) -> Fingerprints:
        """Every value of every column the declarations mark as personal."""

        def values() -> Iterable[tuple[PersonalData, str]]:
            for table in declarations:
                for column, kind in table.personal_columns.items():
                    if table.name in tables:
                        for value in pc.unique(tables[table.name][column]).to_pylist():
                            if value is not None:
                                yield kind, str(value)

        return cls(values())

    def __len__(self) -> int:
        return len(self._kinds)

    def __reduce__(self) -> NoReturn:
        raise TypeError("Fingerprints never leave the process: they are not picklable")

    def __repr__(self) -> str:
        return f"Fingerprints({dict(self.counts)})"

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), key=self._salt, digest_size=16).digest()

    def find(self, text: str) -> Counter[PersonalData]:
        """Kinds (with counts) of the batch's raw values present in `text`."""
        found: Counter[PersonalData] = Counter()
        normalised = normalise(text)
        keys: list[str] = []
        if self.number_lengths and len(normalised) >= self.number_lengths[0]:
            keys.extend(written_numbers(normalised, self.number_lengths, normalised=True))
        if self._alphanumeric:
            keys.extend(alphanumeric_cnpjs(normalised, any_case=True))
        for key in keys:
            kind = self._kinds.get(self._digest(key))
            if kind is not None:
                found[kind] += 1
        if "@" in normalised:
            folded = _email_key(normalised)  # normalising twice changes nothing
            for address in email_addresses(folded):
                kind = self._email_in(address)
                if kind is not None:
                    found[kind] += 1
        return found

    def find_cached(self, text: str) -> Counter[PersonalData]:
        """`find`, remembering each value searched (bounded), for texts that recur across files."""
        known = self._searched.get(text)
        if known is None:
            known = self.find(text)
            if len(self._searched) < _CACHE_LIMIT:
                self._searched[text] = known
        return known

    def _email_in(self, candidate: str) -> PersonalData | None:
        user, _, domain = candidate.partition("@")
        ends = [len(domain)] + [i for i, ch in enumerate(domain) if ch == "."]
        for start in range(len(user)):
            for end in ends:
                kind = self._kinds.get(self._digest(f"{user[start:]}@{domain[:end]}"))
                if kind is not None:
                    return kind
        return None

    def plausible(self, values: pa.Array) -> pa.Array:
        """Vectorised first pass over a string array (raw, not normalised): True where a value could hold a raw
        value once normalised (as many digit-like characters as the shortest raw number, at most three other
        characters apart besides format characters; an `@` in any form between address characters; the groups
        of an alphanumeric CNPJ, when the batch has any). Never narrower than what `find` reads."""
        mask = pc.match_substring_regex(values, RAW_EMAIL_SCREEN)
        if self.number_lengths:
            # An ASCII value is left as it is by normalisation: only a run laid out as a document or card counts.
            numbers = pc.match_substring_regex(values, ASCII_LAYOUT_SCREEN)
            ascii_ = pc.string_is_ascii(values)
            if not pc.all(ascii_).as_py():  # the wide Unicode screen (costlier to compile) only when needed
                wide = pc.match_substring_regex(values, raw_digits_screen(self.number_lengths[0]))
                numbers = pc.if_else(ascii_, numbers, wide)
            mask = pc.or_(mask, numbers)
        if self._alphanumeric:
            mask = pc.or_(mask, pc.match_substring_regex(values, RAW_ALPHANUMERIC_CNPJ_SCREEN))
        return pc.fill_null(mask, False)

    def find_in_array(self, values: pa.Array) -> Counter[PersonalData]:
        """The batch's raw values in an Arrow array of strings (nulls ignored)."""
        found: Counter[PersonalData] = Counter()
        if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
            values = pc.cast(values, pa.large_string(), safe=False)
        if len(values) == 0:
            return found
        distinct = pc.unique(values)  # most text columns repeat a small vocabulary
        candidates = pc.filter(distinct, self.plausible(distinct))
        for value in candidates.to_pylist():
            if value is not None:
                found += self.find_cached(value)
        return found

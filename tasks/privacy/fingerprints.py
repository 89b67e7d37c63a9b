"""Every raw personal value of a batch, kept only as salted hashes, and the search for them in any text.

Built from the landed batch at load time (the columns the table declarations mark as personal), before anything
else reads it. The salt is random, made per run and never written anywhere: the hashes cannot be tested
against guesses outside this process, and the object refuses to be pickled, so no result store, cache or
Prefect state can hold it.

Searching is exact-match with separators normalised: a text's numbers are read as the detector reads them
(`tasks/privacy/forms.py`: runs of digit groups joined by spaces, dots, dashes or slashes at a document's or a
card's layout), their digits hashed and looked up, so `529.982.247-25`, `529982247-25` and `52998224725` are one
value; e-mail addresses are compared lower-case, with any prefix glued to the user part or suffix glued to the
domain trimmed off. Only numbers written as documents are compared: an 11-digit key or a window cut out of a
longer run of digits would match some raw value by chance once a batch holds millions of them. Nothing found
is ever reported as a value: only its kind and where.
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
from tasks.privacy.forms import EMAIL_ADDRESS, written_numbers

# Whitespace, dots, slashes, hyphens; no-break space and the Unicode dashes as characters (RE2 has no \u).
SEPARATORS = r"\s./\-" + "\u00a0\u2010-\u2015\u2212"
_EMAIL_AT = re.compile(EMAIL_ADDRESS)
_USER_PART = re.compile(r"[a-z0-9._%+\-]{1,64}$")
_CACHE_LIMIT = 1_000_000  # values already searched (the same text recurs in Delta, Parquet and CSV)
# The same shapes for pyarrow (RE2): a cheap vectorised first pass, so Python sees only plausible values.
_ARROW_EMAIL = r"[A-Za-z0-9._%+\-]@[A-Za-z0-9\-]+\.[A-Za-z]"
_NUMBER_KINDS = (PersonalData.DOCUMENT, PersonalData.CARD)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


class Fingerprints:
    """Salted hashes of a batch's raw personal values, by kind."""

    def __init__(self, values: Iterable[tuple[PersonalData, str]]) -> None:
        self._salt = os.urandom(32)
        self._kinds: dict[bytes, PersonalData] = {}
        lengths: set[int] = set()
        for kind, raw in values:
            normalized = _digits(raw) if kind in _NUMBER_KINDS else raw.strip().lower()
            if not normalized:
                continue
            if kind in _NUMBER_KINDS:
                lengths.add(len(normalized))
            self._kinds[self._digest(normalized)] = kind
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
        if self.number_lengths and len(text) >= self.number_lengths[0]:
            for digits in written_numbers(text, self.number_lengths):
                kind = self._kinds.get(self._digest(digits))
                if kind is not None:
                    found[kind] += 1
        if "@" in text:
            lowered = text.lower()
            for match in _EMAIL_AT.finditer(lowered):
                user = _USER_PART.search(lowered[max(0, match.start() - 64) : match.start()])
                kind = self._email_in(f"{user.group() if user else ''}{match.group()}")
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
        """Vectorised first pass over a string array: True where a value could hold a raw value (a run of
        as many digits as the shortest raw number, at most three separators apart, or an e-mail shape)."""
        mask = pc.match_substring_regex(values, _ARROW_EMAIL)
        if self.number_lengths:
            digits = rf"[0-9](?:[{SEPARATORS}]{{0,3}}[0-9]){{{self.number_lengths[0] - 1}}}"
            mask = pc.or_(mask, pc.match_substring_regex(values, digits))
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

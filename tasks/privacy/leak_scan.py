"""The leak proof's search: a batch's raw personal values (as fingerprints) looked for in files and texts.

Parquet files are read column by column, nested columns (a Delta checkpoint's structs, maps and lists) down to
their text leaves; a CSV is parsed by pyarrow and searched field by field; anything else (JSON logs, HTML,
markdown) is searched as text. What no one wrote is not compared: numbers stored as numbers (integer columns),
and the columns named as keys, amounts or digests (`skip_columns`: an 11-digit key or a hex digest would match
some raw value by chance once a batch holds millions of them). Vectorised first passes keep the per-value
Python work to plausible values only.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tasks.domain.contract import PersonalData
from tasks.privacy.fingerprints import Fingerprints
from tasks.storage import Location

_TEXT_CHUNK = 8 * 1024 * 1024
_TEXT_OVERLAP = 1024  # longer than any raw value and its separators: nothing is missed at a chunk boundary


@dataclass(frozen=True)
class Hit:
    """Where the batch's raw values were found, and which kinds: never the values."""

    where: str
    kinds: dict[str, int]

    def describe(self) -> str:
        return f"{self.where}: " + ", ".join(f"{count} {kind}" for kind, count in sorted(self.kinds.items()))


@dataclass
class LeakProof:
    """The result of one search: how many raw values, in how many places, and every hit."""

    values: int
    searched: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def found(self) -> int:
        return sum(sum(hit.kinds.values()) for hit in self.hits)

    @property
    def clean(self) -> bool:
        return not self.hits

    def summary(self) -> str:
        return f"{self.values:,} raw values searched in {len(self.searched):,} files: {self.found:,} found"

    def record(self, where: str, found: Counter[PersonalData]) -> None:
        self.searched.append(where)
        if found:
            self.hits.append(Hit(where, {str(kind): count for kind, count in found.items()}))


def _leaves(array: pa.Array) -> Iterator[pa.Array]:
    """The searchable leaves of an Arrow array: strings and binaries, inside any nesting."""
    kind = array.type
    if pa.types.is_struct(kind):
        for index in range(kind.num_fields):
            yield from _leaves(array.field(index))
    elif pa.types.is_map(kind):
        yield from _leaves(array.keys)
        yield from _leaves(array.items)
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        yield from _leaves(array.flatten())
    elif pa.types.is_dictionary(kind):
        yield from _leaves(array.dictionary)
    elif (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
    ):
        yield array


def search_batches(
    fingerprints: Fingerprints, batches: Iterable[pa.RecordBatch], skip_columns: frozenset[str] = frozenset()
) -> Counter[PersonalData]:
    found: Counter[PersonalData] = Counter()
    for batch in batches:
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            if name in skip_columns:
                continue
            for leaf in _leaves(column):
                try:
                    found += fingerprints.find_in_array(leaf)
                except (pa.ArrowInvalid, UnicodeDecodeError):  # binary that is not UTF-8: as text, lossy
                    found += search_text(fingerprints, [bytes(v) for v in leaf.to_pylist() if v is not None])
    return found


def search_text(fingerprints: Fingerprints, chunks: Iterable[bytes]) -> Counter[PersonalData]:
    """Search a byte stream as UTF-8 text (invalid bytes replaced), chunk by chunk with an overlap."""
    found: Counter[PersonalData] = Counter()
    tail = ""
    for chunk in chunks:
        text = tail + chunk.decode("utf-8", errors="replace")
        this_round = fingerprints.find(text)
        this_round.subtract(
            fingerprints.find(tail)
        )  # values wholly inside the overlap were counted last round
        found += this_round
        tail = text[-_TEXT_OVERLAP:]
    return found


def _read_chunks(location: Location) -> Iterator[bytes]:
    with location.filesystem.open_input_stream(location.path) as stream:
        while chunk := stream.read(_TEXT_CHUNK):
            yield bytes(chunk)


def _search_csv(
    fingerprints: Fingerprints, location: Location, skip_columns: frozenset[str]
) -> Counter[PersonalData]:
    """A CSV parsed by pyarrow, every field of its text columns searched as a string; a file pyarrow cannot
    parse is searched whole, as text."""
    with location.filesystem.open_input_stream(location.path) as stream:
        head = bytes(stream.read(1 << 16)).decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(head)), [])
    text_columns = [f"c{i}" for i, name in enumerate(header) if name not in skip_columns]
    try:
        with location.filesystem.open_input_stream(location.path) as stream:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    column_names=[f"c{i}" for i in range(len(header))], block_size=1 << 22
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"c{i}": pa.string() for i in range(len(header))},
                    strings_can_be_null=False,
                    include_columns=text_columns,
                ),
            )
            return search_batches(fingerprints, reader)
    except pa.ArrowInvalid:
        return search_text(fingerprints, _read_chunks(location))


def search_file(
    fingerprints: Fingerprints, location: Location, skip_columns: frozenset[str] = frozenset()
) -> Counter[PersonalData]:
    """Search one file by its format: Parquet (data, checkpoints) or CSV, skipping `skip_columns`; or text."""
    name = location.name.lower()
    if name.endswith(".parquet"):
        with location.filesystem.open_input_file(location.path) as handle:
            return search_batches(
                fingerprints, pq.ParquetFile(handle).iter_batches(batch_size=1 << 16), skip_columns
            )
    if name.endswith(".csv"):
        return _search_csv(fingerprints, location, skip_columns)
    return search_text(fingerprints, _read_chunks(location))


def prove(
    fingerprints: Fingerprints,
    files: Iterable[Location],
    texts: Iterable[tuple[str, str]] = (),
    skip_columns: frozenset[str] = frozenset(),
) -> LeakProof:
    """Search every file and every named text (artifacts, log lines) for the batch's raw values; in CSV files
    and Parquet files the `skip_columns` (keys, amounts, digests) are not compared."""
    started = time.perf_counter()
    proof = LeakProof(values=len(fingerprints))
    for location in files:
        proof.record(location.uri, search_file(fingerprints, location, skip_columns))
    for where, text in texts:
        proof.record(where, fingerprints.find(text))
    proof.seconds = time.perf_counter() - started
    return proof

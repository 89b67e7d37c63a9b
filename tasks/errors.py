"""Database driver errors reduced to where they happened, never to what the data was.

psycopg2, pymongo and Spark's JDBC driver and MongoDB connector quote the offending values in their messages (a
CPF in a duplicate key, whole documents in a failed bulk write, a card number in a cast error), and those messages
would otherwise reach logs, exception messages, Prefect states and retries. Every driver error is therefore
reduced here to the stage, the source, the table, the column, the data row number and the error class, plus codes
(SQLSTATE, MongoDB codes) and constraint or index names, which are schema, not data. The result is a new exception
raised with no link to the original (no `__cause__`, no `__context__`), because Prefect and logging print chained
tracebacks. Whether the failure is transient is decided before anything is dropped, from the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

import psycopg2
import psycopg2.errors
import pymongo.errors
from bson.errors import BSONError
from py4j.protocol import Py4JError
from pyspark.errors import PySparkException

from tasks.privacy.raw_values import holds_raw_values
from tasks.retry import TRANSIENT_JAVA_CLASSES, TransientError, is_transient, is_transient_sqlstate

Source = Literal["postgres", "mongodb"]
RowLocator = Callable[[Mapping[str, str]], int | None]
"""Finds the 1-based data row holding a key (column -> text value) quoted by the server; the values never leave."""
T = TypeVar("T")

DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    psycopg2.Error,
    pymongo.errors.PyMongoError,
    BSONError,
    Py4JError,  # Py4JJavaError (a Java exception), Py4JNetworkError (the JVM is gone)
    PySparkException,  # pyspark's captured Java exceptions (AnalysisException, ...)
)

# Every token of a message must match one of these: names and codes only, never free text.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_CLASS_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*){0,12}")
# A code: "SQLSTATE 23505 UniqueViolation", "code 11000 DuplicateKey" or a Spark condition "FAILED_JDBC.CONNECTION".
# Server codes have at most 9 digits, so an 11-digit CPF or a card number cannot pass for one.
_CODE = re.compile(
    r"SQLSTATE [0-9A-Z]{5}(?: [A-Za-z]{1,80})?"
    r"|code -?[0-9]{1,9}(?: [A-Za-z]{1,80})?"
    r"|[A-Z][A-Z0-9_]{0,80}(?:\.[A-Z0-9_]{1,80}){0,4}"
)
_SQLSTATE = re.compile(r"[0-9A-Z]{5}")
_ROWS_SHOWN = 5
_MAX_COUNT = 10**10 - 1  # row numbers and counts: a 10-digit bound keeps 11-digit CPFs and card numbers out
_JAVA_CHAIN_MAX = 8

# Fixed parts of the servers' own texts, from which only names and line numbers are taken.
_COPY_CONTEXT = re.compile(r"COPY (?P<table>[^\s,]+), line (?P<line>\d+)(?:, column (?P<column>[^\s:]+))?")
_KEY_DETAIL = re.compile(
    r"Key \((?P<columns>.+?)\)=\((?P<values>.*)\) (?:already exists|is not present in table \"[^\"]*\")\.",
    re.DOTALL,
)
_MONGO_INDEX = re.compile(r"\bindex: (?P<index>[A-Za-z0-9_.$-]{1,127}) dup key")
_MONGO_CONNECTOR_FIELD = re.compile(r"Invalid field: '(?P<field>[A-Za-z_][A-Za-z0-9_]{0,62})'\. ")


def _tokens(values: Iterable[object], pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The values that are names or codes, in first-seen order; anything else is dropped, never shown."""
    kept: dict[str, None] = {}
    for value in values:
        if value is not None and pattern.fullmatch(text := str(value)):
            kept[text] = None
    return tuple(kept)


def _token(value: object, pattern: re.Pattern[str]) -> str | None:
    found = _tokens([value], pattern)
    return found[0] if found else None


WITHHELD = "message withheld: it held what reads as a raw CPF/CNPJ, card number or e-mail address"


def guarded(text: str) -> str:
    """`text`, or a notice in its place when it holds what reads as raw personal data (`raw_values_in`)."""
    return WITHHELD if holds_raw_values(text) else text


class ValueFree:
    """Marks an error whose message is built from names, counts and codes only, never a value of the data:
    it may be shown and recorded as it is (the run ledger keeps it as the failure's reason).

    Every argument passes the guard on the way in, so a message that a mistake built from input anyway is
    withheld before it can reach a log, a state, the ledger or lineage: the net behind the rule.
    """

    def __init__(self, *args: object) -> None:
        safe = [guarded(arg) if isinstance(arg, str) else arg for arg in args]
        super().__init__(*safe)  # type: ignore[call-arg]


MAX_REASON = 2000


def failure_reason(error: BaseException) -> str:
    """The pipeline's own errors say where and what without values; anything else is named by its class."""
    if isinstance(error, ValueFree):
        return f"{type(error).__name__}: {str(error)[:MAX_REASON]}"
    return type(error).__name__


class SourceError(ValueFree, Exception):
    """A database driver error reduced to its place and kind: a data or schema error, never retried.

    Built only from names, codes and row numbers (each checked against a strict pattern), so neither its message
    nor its attributes can carry a value from the data.
    """

    def __init__(
        self,
        *,
        stage: str,
        source: str,
        error: Sequence[str],
        codes: Sequence[str] = (),
        table: str | None = None,
        columns: Sequence[str] = (),
        rows: Sequence[int] = (),
        constraints: Sequence[str] = (),
        failures: int | None = None,
    ) -> None:
        self.stage = _token(stage, _IDENTIFIER) or "?"
        self.source = _token(source, _IDENTIFIER) or "?"
        self.error = _tokens(error, _CLASS_NAME) or ("?",)
        self.codes = _tokens(codes, _CODE)
        self.table = _token(table, _IDENTIFIER)
        self.columns = _tokens(columns, _IDENTIFIER)
        self.rows = tuple(sorted({int(row) for row in rows if 0 < int(row) <= _MAX_COUNT}))
        self.constraints = _tokens(constraints, _IDENTIFIER)
        self.failures = int(failures) if failures is not None and 0 <= int(failures) <= _MAX_COUNT else None
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line a person can act on: where (stage/source table.column rows), then what (class, codes,
        failed writes, constraint or index)."""
        where = f"{self.stage}/{self.source}"
        place = ".".join(filter(None, [self.table, "+".join(self.columns)]))
        if place:
            where += f" {place}"
        if self.rows:
            shown = ", ".join(str(row) for row in self.rows[:_ROWS_SHOWN])
            more = f" (+{len(self.rows) - _ROWS_SHOWN} more)" if len(self.rows) > _ROWS_SHOWN else ""
            where += f" row{'s' if len(self.rows) > 1 else ''} {shown}{more}"
        what = " caused by ".join(self.error)
        if self.codes:
            what += f" ({', '.join(self.codes)})"
        if self.failures is not None:
            what += f", {self.failures} failed write{'s' if self.failures != 1 else ''}"
        if self.constraints:
            kind = "index" if self.source == "mongodb" else "constraint"
            what += f", {kind} {', '.join(self.constraints)}"
        return f"{where}: {what}"

    def fields(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "source": self.source,
            "error": self.error,
            "codes": self.codes,
            "table": self.table,
            "columns": self.columns,
            "rows": self.rows,
            "constraints": self.constraints,
            "failures": self.failures,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only construction: pickle (Prefect's result and state serialization) rebuilds from the fields.
        return (partial(type(self), **self.fields()), ())


class SourceUnavailable(SourceError, TransientError):
    """A scrubbed driver error that was transient (refused connection, timeout, server selection): retried."""


@dataclass
class _Facts:
    """What may be kept of one driver error."""

    error: list[str]
    codes: list[str] = field(default_factory=list)
    table: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
    failures: int | None = None
    transient: bool = False


def scrub(
    error: BaseException,
    *,
    stage: str,
    source: Source,
    table: str | None = None,
    rows: Sequence[int] = (),
    locate_row: RowLocator | None = None,
    copy_header_lines: int = 1,
) -> SourceError:
    """The error reduced to a `SourceError` (`SourceUnavailable` when transient); raise it outside `except`.

    `rows` maps an operation's index in a bulk write to its data row; `locate_row` finds the row of a key the
    server quotes; `copy_header_lines` is how many lines precede the data in a COPY (to turn lines into rows).
    """
    try:
        transient = is_transient(error)  # from the original, before anything is dropped
    except Exception:  # e.g. a captured Spark exception whose JVM is already stopped cannot even print
        transient = False
    try:
        facts = _facts(error, rows, locate_row, copy_header_lines)
    except Exception:  # an unexpected shape must not let the original escape: keep its class only
        facts = _Facts(error=[type(error).__name__])
    kind = SourceUnavailable if transient or facts.transient else SourceError
    return kind(
        stage=stage,
        source=source,
        error=facts.error,
        codes=facts.codes,
        table=facts.table or table,
        columns=facts.columns,
        rows=facts.rows,
        constraints=facts.constraints,
        failures=facts.failures,
    )


def _facts(
    error: BaseException, rows: Sequence[int], locate_row: RowLocator | None, copy_header_lines: int
) -> _Facts:
    if isinstance(error, psycopg2.Error):
        return _psycopg2_facts(error, locate_row, copy_header_lines)
    if isinstance(error, pymongo.errors.BulkWriteError):
        return _bulk_write_facts(error, rows)
    if isinstance(error, pymongo.errors.PyMongoError):
        return _pymongo_facts(error)
    if isinstance(error, Py4JError | PySparkException):
        return _spark_facts(error)
    return _Facts(error=[type(error).__name__])


def call_scrubbed(action: Callable[[], T], *, stage: str, source: Source, table: str | None = None) -> T:
    """Run one driver call; a driver error leaves it as a `SourceError` with no link to the original."""
    try:
        return action()
    except DRIVER_ERRORS as error:
        failure = scrub(error, stage=stage, source=source, table=table)
    raise failure  # outside the except block: no __context__ pointing at the original


def _sqlstate_name(sqlstate: str | None) -> str | None:
    """psycopg2's class name of a SQLSTATE (e.g. 23505 -> UniqueViolation), for people who do not know codes."""
    if not sqlstate or not _SQLSTATE.fullmatch(sqlstate):
        return None
    try:
        return str(psycopg2.errors.lookup(sqlstate).__name__)
    except KeyError:
        return None


def _psycopg2_facts(error: psycopg2.Error, locate_row: RowLocator | None, copy_header_lines: int) -> _Facts:
    """Class, SQLSTATE and the schema names of the diagnostics; COPY's line number; a quoted key's row."""
    diag = error.diag
    facts = _Facts(error=[type(error).__name__])
    if error.pgcode:
        facts.codes.append(f"SQLSTATE {error.pgcode}")
    facts.table = _token(diag.table_name, _IDENTIFIER)
    facts.columns += [name for name in [diag.column_name] if name]
    facts.constraints += [name for name in [diag.constraint_name] if name]
    copy = _COPY_CONTEXT.match((diag.context or "").split("\n", 1)[0])
    if copy:
        facts.rows.append(int(copy["line"]) - copy_header_lines)
        if copy["column"]:
            facts.columns.append(copy["column"])
    key = _KEY_DETAIL.match(diag.message_detail or "")
    if key:
        columns, values = key["columns"].split(", "), key["values"].split(", ")
        facts.columns += columns
        # A value holding ", " makes the counts differ: then the key is ambiguous and no row is looked up.
        if locate_row is not None and not facts.rows and len(columns) == len(values):
            row = locate_row(dict(zip(columns, values, strict=True)))
            if row is not None:
                facts.rows.append(row)
    return facts


def _mongo_code(code: object, name: object) -> str | None:
    if not isinstance(code, int):
        return None
    code_name = _token(name, _IDENTIFIER)
    return f"code {code} {code_name}" if code_name else f"code {code}"


def _mongo_index_and_fields(write_error: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The index name (from the server's fixed "index: <name> dup key" text) and the key's field names."""
    indexes = []
    errmsg = write_error.get("errmsg")
    if isinstance(errmsg, str) and (found := _MONGO_INDEX.search(errmsg)):
        indexes.append(found["index"])
    pattern = write_error.get("keyPattern")
    fields = [str(name) for name in pattern] if isinstance(pattern, Mapping) else []
    return indexes, fields


def _bulk_write_facts(error: pymongo.errors.BulkWriteError, rows: Sequence[int]) -> _Facts:
    """Count, codes, index names and data rows of the failed writes; never `op`, `errmsg` or `keyValue`."""
    details = error.details if isinstance(error.details, Mapping) else {}
    write_errors = [e for e in details.get("writeErrors") or [] if isinstance(e, Mapping)]
    concern_errors = [e for e in details.get("writeConcernErrors") or [] if isinstance(e, Mapping)]
    facts = _Facts(error=[type(error).__name__], failures=len(write_errors) + len(concern_errors))
    for write_error in [*write_errors, *concern_errors]:
        code = _mongo_code(write_error.get("code"), write_error.get("codeName"))
        if code:
            facts.codes.append(code)
        indexes, fields = _mongo_index_and_fields(write_error)
        facts.constraints += indexes
        facts.columns += fields
        index = write_error.get("index")
        if isinstance(index, int) and 0 <= index < len(rows):
            facts.rows.append(rows[index])
    return facts


def _pymongo_facts(error: pymongo.errors.PyMongoError) -> _Facts:
    """Class and server code; for a write error also its index and key fields."""
    facts = _Facts(error=[type(error).__name__])
    if isinstance(error, pymongo.errors.OperationFailure):
        details = error.details if isinstance(error.details, Mapping) else {}
        code = _mongo_code(error.code, details.get("codeName"))
        if code:
            facts.codes.append(code)
        indexes, fields = _mongo_index_and_fields(details)
        facts.constraints += indexes
        facts.columns += fields
    return facts


def _spark_gateway() -> Any:
    from pyspark import SparkContext

    return SparkContext._gateway


def _java_instance_of(java: Any, class_name: str) -> bool:
    """`instanceof` through the running JVM; by exact class name without one (or when the class is absent)."""
    from py4j.java_gateway import JavaObject, is_instance_of

    gateway = _spark_gateway()
    if gateway is not None and isinstance(java, JavaObject):
        try:
            return bool(is_instance_of(gateway, java, class_name))
        except Py4JError:
            pass
    return bool(str(java.getClass().getName()) == class_name)


def _java_call(java: Any, method: str) -> Any:
    try:
        return getattr(java, method)()
    except (Py4JError, AttributeError, TypeError):
        return None


def _java_origin(error: BaseException) -> Any:
    """The Java throwable behind a Py4JJavaError or a pyspark captured exception, if the JVM produced one."""
    for candidate in (error, getattr(error, "_cause", None)):
        java = getattr(candidate, "java_exception", None) or getattr(candidate, "_origin", None)
        if java is not None:
            return java
    return None


def _spark_facts(error: Py4JError | PySparkException) -> _Facts:
    """The Java classes of the cause chain, their SQLSTATEs, Spark's error condition and the schema names that
    PostgreSQL's JDBC driver or the MongoDB connector attach; never a message."""
    facts = _Facts(error=[])
    java = _java_origin(error)
    try:
        while java is not None and len(facts.error) < _JAVA_CHAIN_MAX:
            class_name = str(java.getClass().getName())
            facts.error.append(class_name)
            facts.transient |= any(_java_instance_of(java, name) for name in TRANSIENT_JAVA_CLASSES)
            # Getters that only some throwables have (a missing one answers None): SparkThrowable's condition,
            # SQLException's SQLSTATE, PSQLException's server fields, MongoException's code.
            facts.codes += _tokens([_java_call(java, "getCondition")], _CODE)
            sqlstate = _token(_java_call(java, "getSQLState"), _SQLSTATE)
            if sqlstate:
                facts.transient |= is_transient_sqlstate(sqlstate)
                facts.codes.append(" ".join(filter(None, ["SQLSTATE", sqlstate, _sqlstate_name(sqlstate)])))
            server = _java_call(java, "getServerErrorMessage")
            if server is not None:
                facts.table = facts.table or _token(_java_call(server, "getTable"), _IDENTIFIER)
                facts.columns += _tokens([_java_call(server, "getColumn")], _IDENTIFIER)
                facts.constraints += _tokens([_java_call(server, "getConstraint")], _IDENTIFIER)
            if class_name.startswith("com.mongodb."):
                code = _java_call(java, "getCode")
                if isinstance(code, int) and code >= 0:
                    facts.codes.append(f"code {code}")
            if class_name.startswith("com.mongodb.spark.") and class_name.endswith("DataException"):
                found = _MONGO_CONNECTOR_FIELD.match(str(_java_call(java, "getMessage") or ""))
                if found:
                    facts.columns.append(found["field"])
            java = java.getCause()
    except Py4JError:
        pass  # the JVM went away while the chain was read: keep what was read
    if not facts.error:  # no JVM behind it (e.g. Py4JNetworkError): the Python class is all there is
        facts.error.append(type(error).__name__)
    return facts

"""Driver errors reduced to table, column, row and class: a planted value never survives the reduction.

The psycopg2 errors here are subclasses with the diagnostics a server sends (psycopg2 builds `diag` only from a
server's reply); the Java throwables are stand-ins with the getters the real ones have. Real errors from the
real servers are in tests/integration/test_error_scrubbing.py.
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

import psycopg2
import psycopg2.errors
import pymongo.errors
import pytest
from prefect.states import Failed
from py4j.protocol import Py4JJavaError, Py4JNetworkError

from tasks.errors import SourceError, SourceUnavailable, call_scrubbed, scrub
from tasks.retry import is_transient, retry_on_transient

CPF = "52998224725"
CARD = "4111111111111111"
EMAIL = "maria.planted@example.com"
PLANTED = (CPF, CARD, EMAIL, "529982247")

DIAG_FIELDS = (
    "message_primary",
    "message_detail",
    "message_hint",
    "context",
    "table_name",
    "column_name",
    "constraint_name",
    "datatype_name",
    "schema_name",
)


def pg_error(
    base: type[psycopg2.Error], pgcode: str | None, message: str, **diag: str | None
) -> psycopg2.Error:
    """A psycopg2 error of the given class carrying the diagnostics a server would send."""
    fields = dict.fromkeys(DIAG_FIELDS) | diag
    fake = type(base.__name__, (base,), {"pgcode": pgcode, "diag": SimpleNamespace(**fields)})
    return fake(message)


class FakeJava:
    """A Java throwable as py4j hands it over: class, message, cause and the getters its class declares."""

    _target_id = "o42"

    def __init__(self, class_name: str, message: str, cause: FakeJava | None = None, **getters: Any) -> None:
        self._class_name, self._message, self._cause, self._getters = class_name, message, cause, getters

    def getClass(self) -> SimpleNamespace:
        return SimpleNamespace(getName=lambda: self._class_name)

    def getCause(self) -> FakeJava | None:
        return self._cause

    def getMessage(self) -> str:
        return self._message

    def toString(self) -> str:
        return f"{self._class_name}: {self._message}"

    def __getattr__(self, name: str) -> Callable[[], Any]:
        getters = self.__dict__.get("_getters", {})
        if name in getters:
            return lambda: getters[name]
        raise AttributeError(name)


class JavaError(Py4JJavaError):  # type: ignore[misc]  # py4j ships no type information: its classes are Any
    """Py4JJavaError whose text, like the real one, is the whole Java stack trace with its messages."""

    def __str__(self) -> str:
        lines, java = [], self.java_exception
        while java is not None:
            lines.append(f"Caused by: {java.toString()}")
            java = java.getCause()
        return "An error occurred while calling o68.count.\n" + "\n".join(lines)


def raising(error: BaseException) -> Callable[[], Any]:
    def action() -> Any:
        raise error

    return action


def assert_no_values(error: BaseException, values: tuple[str, ...] = PLANTED) -> None:
    """No planted value in the message, the repr, the printed traceback or any attribute; nothing chained."""
    assert error.__cause__ is None
    assert error.__context__ is None
    printed = "".join(traceback.format_exception(error))
    attributes = repr(vars(error))
    for value in values:
        for where, text in {
            "str": str(error),
            "repr": repr(error),
            "traceback": printed,
            "attributes": attributes,
        }.items():
            assert value not in text, f"{value!r} leaked into {where}: {text}"


def scrubbed(error: BaseException, **where: Any) -> SourceError:
    """Raise the driver error through `call_scrubbed`, as the pipeline does, and return what comes out."""
    where = {"stage": "load", "source": "postgres", **where}
    with pytest.raises(SourceError) as caught:
        call_scrubbed(raising(error), **where)
    return caught.value


def test_a_copy_type_error_names_table_column_and_row_not_the_value() -> None:
    error = pg_error(
        psycopg2.errors.InvalidTextRepresentation,
        "22P02",
        f'invalid input syntax for type bigint: "{CPF}x"\nCONTEXT: COPY staging_associado, line 4',
        message_primary=f'invalid input syntax for type bigint: "{CPF}x"',
        context=f'COPY staging_associado, line 4, column id: "{CPF}x"',
    )
    result = scrubbed(error, table="associado")
    assert_no_values(result)
    assert str(result) == (
        "load/postgres associado.id row 3: InvalidTextRepresentation (SQLSTATE 22P02)"
    )  # line 4 of the file is data row 3 (the header is line 1)
    assert not is_transient(result)


def test_a_duplicate_key_is_located_in_memory_and_only_its_row_is_named() -> None:
    asked: list[Mapping[str, str]] = []

    def locate(key: Mapping[str, str]) -> int | None:
        asked.append(dict(key))
        return 7

    error = pg_error(
        psycopg2.errors.UniqueViolation,
        "23505",
        f"duplicate key value violates unique constraint\nDETAIL: Key (cpf_cnpj)=({CPF}) already exists.",
        message_primary='duplicate key value violates unique constraint "associado_cpf_cnpj_uq"',
        message_detail=f"Key (cpf_cnpj)=({CPF}) already exists.",
        table_name="associado",
        constraint_name="associado_cpf_cnpj_uq",
        schema_name="public",
    )
    failure = scrub(error, stage="load", source="postgres", table="associado", locate_row=locate)
    with pytest.raises(SourceError) as caught:
        raising(failure)()
    assert_no_values(caught.value)
    assert asked == [{"cpf_cnpj": CPF}]  # the value was compared in memory, never carried out
    assert str(caught.value) == (
        "load/postgres associado.cpf_cnpj row 7: UniqueViolation (SQLSTATE 23505), "
        "constraint associado_cpf_cnpj_uq"
    )


def test_a_composite_key_whose_values_hold_the_separator_is_not_guessed() -> None:
    asked: list[Mapping[str, str]] = []
    error = pg_error(
        psycopg2.errors.ForeignKeyViolation,
        "23503",
        "insert or update violates foreign key constraint",
        message_detail=f'Key (id_conta, nom_impresso)=(7, {EMAIL}, X) is not present in table "conta".',
        table_name="cartao",
        constraint_name="cartao_conta_titular_fk",
    )
    result = scrubbed(error, table="cartao")

    def locate(key: Mapping[str, str]) -> int | None:
        asked.append(key)
        return 1

    failure = scrub(error, stage="load", source="postgres", locate_row=locate)
    assert asked == []
    for error_out in (result, failure):
        assert "row" not in str(error_out)
        assert "cartao.id_conta+nom_impresso" in str(error_out)
    assert_no_values(result)


def test_a_check_violation_keeps_the_constraint_and_drops_the_failing_row() -> None:
    error = pg_error(
        psycopg2.errors.CheckViolation,
        "23514",
        "new row violates check constraint",
        message_primary='new row for relation "associado" violates check constraint "associado_cpf_cnpj_ck"',
        message_detail=f"Failing row contains (1, Maria, Silva, 30, {EMAIL}, {CPF}, b).",
        table_name="associado",
        constraint_name="associado_cpf_cnpj_ck",
    )
    result = scrubbed(error)
    assert_no_values(result)
    assert (
        str(result)
        == "load/postgres associado: CheckViolation (SQLSTATE 23514), constraint associado_cpf_cnpj_ck"
    )


def test_a_refused_postgres_connection_stays_transient_after_scrubbing() -> None:
    error = psycopg2.OperationalError(
        f'connection to server at "127.0.0.1", port 1 failed: Connection refused (user {EMAIL})'
    )
    result = scrubbed(error)
    assert isinstance(result, SourceUnavailable)
    assert_no_values(result)
    assert is_transient(result)
    assert retry_on_transient(None, None, Failed(data=result))


def mongo_duplicate(index: int, document: dict[str, Any], index_name: str, value: str) -> dict[str, Any]:
    """A write error as MongoDB (and mongo-java-server) reports it: the document and the key are quoted."""
    return {
        "index": index,
        "code": 11000,
        "codeName": "DuplicateKey",
        "errmsg": f'E11000 duplicate key error collection: db.movimento index: {index_name} dup key: {{ x: "{value}" }}',
        "keyPattern": {"des_transacao": 1},
        "keyValue": {"des_transacao": value},
        "op": document,
    }


def test_a_bulk_write_error_keeps_count_codes_index_and_rows_never_documents() -> None:
    documents = [{"id": n, "des_transacao": f"pix {CPF}", "email": EMAIL} for n in range(4)]
    details = {
        "writeErrors": [
            mongo_duplicate(1, documents[1], "des_transacao_uq", f"pix {CPF}"),
            mongo_duplicate(3, documents[3], "des_transacao_uq", f"pix {CPF}"),
        ],
        "writeConcernErrors": [],
        "nInserted": 2,
    }
    error = pymongo.errors.BulkWriteError(details)
    assert CPF in str(error)  # what the driver itself would have printed
    rows = [11, 12, 13, 14]  # data rows of the four operations
    failure = scrub(error, stage="load", source="mongodb", table="movimento", rows=rows)
    with pytest.raises(SourceError) as caught:
        raising(failure)()
    assert_no_values(caught.value)
    assert str(caught.value) == (
        "load/mongodb movimento.des_transacao rows 12, 14: BulkWriteError (code 11000 DuplicateKey), "
        "2 failed writes, index des_transacao_uq"
    )
    assert not is_transient(caught.value)


def test_many_failed_rows_are_counted_not_all_listed() -> None:
    details = {"writeErrors": [{"index": n, "code": 121, "op": {"x": CPF}} for n in range(9)]}
    failure = scrub(
        pymongo.errors.BulkWriteError(details), stage="load", source="mongodb", rows=list(range(1, 10))
    )
    assert (
        str(failure)
        == "load/mongodb rows 1, 2, 3, 4, 5 (+4 more): BulkWriteError (code 121), 9 failed writes"
    )


def test_a_duplicate_key_error_keeps_code_and_index() -> None:
    error = pymongo.errors.DuplicateKeyError(
        f"E11000 duplicate key error collection: db.movimento index: movimento_id_uq dup key: {{ id: {CPF} }}",
        11000,
        {
            "errmsg": f"E11000 duplicate key error collection: db.movimento index: movimento_id_uq dup key: {{ id: {CPF} }}",
            "code": 11000,
            "codeName": "DuplicateKey",
        },
    )
    result = scrubbed(error, source="mongodb", table="movimento")
    assert_no_values(result)
    assert str(result) == (
        "load/mongodb movimento: DuplicateKeyError (code 11000 DuplicateKey), index movimento_id_uq"
    )


def test_mongo_server_selection_stays_transient_after_scrubbing() -> None:
    error = pymongo.errors.ServerSelectionTimeoutError(f"127.0.0.1:1: [Errno 111] Connection refused {EMAIL}")
    result = scrubbed(error, stage="extract", source="mongodb")
    assert isinstance(result, SourceUnavailable)
    assert_no_values(result)
    assert retry_on_transient(None, None, Failed(data=result))


def test_a_spark_jdbc_failure_is_reduced_to_the_java_classes_of_its_cause_chain() -> None:
    psql = FakeJava(
        "org.postgresql.util.PSQLException",
        f'ERROR: invalid input syntax for type integer: "{CPF}"',
        getSQLState="22P02",
        getServerErrorMessage=None,
    )
    spark = FakeJava("org.apache.spark.SparkException", f"Job aborted: {psql.toString()}", psql)
    error = JavaError("An error occurred while calling o68.count", spark)
    assert CPF in str(error)
    result = scrubbed(error, stage="extract", table="associado")
    assert_no_values(result)
    assert str(result) == (
        "extract/postgres associado: org.apache.spark.SparkException caused by "
        "org.postgresql.util.PSQLException (SQLSTATE 22P02 InvalidTextRepresentation)"
    )
    assert not is_transient(result)


def test_the_postgres_server_fields_of_a_jdbc_error_are_kept() -> None:
    server = SimpleNamespace(
        getTable=lambda: "associado", getColumn=lambda: None, getConstraint=lambda: "associado_cpf_cnpj_uq"
    )
    psql = FakeJava(
        "org.postgresql.util.PSQLException",
        f"ERROR: duplicate key. Detail: Key (cpf_cnpj)=({CPF}) already exists.",
        getSQLState="23505",
        getServerErrorMessage=server,
    )
    result = scrubbed(JavaError("o1.save", psql), stage="export")
    assert_no_values(result)
    assert "associado:" in str(result)
    assert "SQLSTATE 23505 UniqueViolation" in str(result)
    assert "constraint associado_cpf_cnpj_uq" in str(result)


def test_the_mongodb_connector_names_the_field_not_the_value() -> None:
    data = FakeJava(
        "com.mongodb.spark.sql.connector.exceptions.DataException",
        f"Invalid field: 'vlr_transacao'. The dataType 'decimal(10,2)' is invalid for 'BsonString{{value='{CPF}'}}'.",
    )
    error = JavaError("o89.count", FakeJava("org.apache.spark.SparkException", f"Job aborted {CPF}", data))
    result = scrubbed(error, stage="extract", source="mongodb", table="movimento")
    assert_no_values(result)
    assert str(result) == (
        "extract/mongodb movimento.vlr_transacao: org.apache.spark.SparkException caused by "
        "com.mongodb.spark.sql.connector.exceptions.DataException"
    )


@pytest.mark.parametrize(
    "cause",
    [
        FakeJava("java.net.ConnectException", f"Connection refused {EMAIL}"),
        FakeJava("org.postgresql.util.PSQLException", f"Connection to {EMAIL} refused", getSQLState="08001"),
    ],
)
def test_a_refused_jdbc_connection_stays_transient_after_scrubbing(cause: FakeJava) -> None:
    top = FakeJava("org.apache.spark.sql.AnalysisException", f"[FAILED_JDBC.CONNECTION] {EMAIL}", cause)
    error = JavaError("o1.jdbc", top)
    result = scrubbed(error, stage="extract")
    assert isinstance(result, SourceUnavailable)
    assert_no_values(result)
    assert is_transient(result)


def test_a_lost_jvm_is_transient_and_named_by_its_python_class() -> None:
    result = scrubbed(Py4JNetworkError(f"Answer from Java side is empty {CPF}"), stage="extract")
    assert isinstance(result, SourceUnavailable)
    assert str(result) == "extract/postgres: Py4JNetworkError"


def test_only_names_and_codes_can_enter_a_source_error() -> None:
    error = SourceError(
        stage="load",
        source="postgres",
        error=["UniqueViolation", f'invalid input "{CPF}"'],
        codes=["SQLSTATE 23505", f"code {CPF}", CPF, f"code 1 {EMAIL}", f"SQLSTATE {CPF}"],
        table=f'associado "{CPF}"',
        columns=["cpf_cnpj", CPF, EMAIL],
        constraints=[f"{CARD} x"],
        rows=[3, int(CPF), int(CARD)],
        failures=int(CPF),
    )
    assert_no_values(error)
    assert str(error) == "load/postgres cpf_cnpj row 3: UniqueViolation (SQLSTATE 23505)"


def test_a_reducer_that_meets_an_unexpected_shape_keeps_the_class_only() -> None:
    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError(f"cannot read {CPF}")

    error = type(
        "UniqueViolation", (psycopg2.errors.UniqueViolation,), {"pgcode": "23505", "diag": Broken()}
    )(f"Key (cpf_cnpj)=({CPF}) already exists.")
    result = scrubbed(error)
    assert_no_values(result)
    assert str(result) == "load/postgres: UniqueViolation"


def test_scrubbed_errors_survive_pickling_with_their_class() -> None:
    for error in (
        SourceError(stage="load", source="postgres", error=["UniqueViolation"], table="associado", rows=[3]),
        SourceUnavailable(stage="extract", source="mongodb", error=["ServerSelectionTimeoutError"]),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.rows == error.rows
        assert is_transient(copy) == isinstance(error, SourceUnavailable)


def test_errors_that_are_not_driver_errors_pass_through_untouched() -> None:
    with pytest.raises(ValueError, match="seed"):
        call_scrubbed(raising(ValueError("seed must be within 0..999")), stage="load", source="postgres")
    assert call_scrubbed(lambda: 42, stage="load", source="postgres") == 42


@pytest.mark.parametrize(
    "leaked",
    [
        "529.982.247-25",
        "52998224725",
        "11.222.333/0001-81",
        "4111 1111 1111 1111",
        "ana.souza@example.com.br",
        "joão@exemplo.com.br",
    ],
)
def test_a_value_free_error_built_with_a_raw_value_by_mistake_is_withheld(leaked: str) -> None:
    """The net behind the rule: a pipeline error whose message a mistake built from input never carries the
    value into a log, a state or the ledger (its message, its args and its traceback are the notice)."""
    from tasks.errors import WITHHELD, ValueFree, failure_reason
    from tasks.landing.verification import BatchRejected

    class Broken(ValueFree, RuntimeError):
        pass

    for error in (Broken(f"row 3 holds {leaked}"), BatchRejected("/l/b", "associado.csv", f"field {leaked}")):
        assert leaked not in str(error) and leaked not in repr(error.args)
        assert WITHHELD in str(error)
        assert leaked not in failure_reason(error)
        assert leaked not in "".join(traceback.format_exception(error))


def test_a_value_free_error_keeps_its_words_and_numbers() -> None:
    """Counts, sizes, dates and batch ids are not documents: the guard leaves them (it would otherwise hide
    every message)."""
    from tasks.landing.verification import BatchRejected

    message = (
        "size 1,073,741,824 bytes, the manifest says 1,000,000; rows 10 and 11 share one; "
        "batch 20261130-seed601-m10000 at 2026-11-30 03:49:00"
    )
    assert message in str(BatchRejected("/l/b", "movimento.csv", message))

"""Real driver errors from the real servers carry a planted value; the pipeline's errors never do.

Each test makes PostgreSQL, the MongoDB-wire server or Spark (JDBC driver, MongoDB connector) fail on a known
value, then looks for that value in the raised error, its printed traceback, the Prefect state built from it and
every log record captured meanwhile (including the failure logged the way Prefect's task engine logs it).
The JVM's own log4j output (Spark's executor warnings on stderr) is outside Python logging and not checked here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pyarrow as pa
import pytest
from prefect.logging import disable_run_logger
from prefect.states import Failed, exception_to_failed_state
from pyspark.sql import SparkSession

from tasks.clients.mongo import mongo_client
from tasks.errors import SourceError, SourceUnavailable, call_scrubbed
from tasks.extract.postgres import read_referenced_rows
from tasks.extract.task import extract_sources
from tasks.landing.verification import BatchRejected, verify_batch
from tasks.load.mongo import load_mongo
from tasks.load.postgres import load_postgres
from tasks.retry import is_transient, retry_on_transient
from tasks.settings import get_settings
from tests.utils.batches import land_batch, rewrite_file

FORMATTED_CPF = "529.982.247-25"
EMAIL = "maria.planted@example.com"
CPF_COLUMN = 5  # associado.csv: id;nome;sobrenome;idade;email;cpf_cnpj


def assert_scrubbed(error: BaseException, values: tuple[str, ...], caplog: pytest.LogCaptureFixture) -> None:
    """The value is nowhere: message, repr, traceback, Prefect state message, captured logs; nothing chained."""
    # As Prefect's task engine reports a failed run: the error and its traceback in the log, then its state.
    logging.getLogger("sicooperative.tests.task_runs").error(
        "Task run failed with exception: %r - Retries are exhausted", error, exc_info=error
    )
    state = asyncio.run(exception_to_failed_state(error))
    assert error.__cause__ is None
    assert error.__context__ is None
    places = {
        "str": str(error),
        "repr": repr(error),
        "traceback": "".join(traceback.format_exception(error)),
        "state": state.message or "",
        "logs": caplog.text + "\n".join(record.getMessage() for record in caplog.records),
    }
    for value in values:
        for where, text in places.items():
            assert value not in text, f"{value!r} leaked into {where}"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def passwords(url: str) -> tuple[str, ...]:
    password = urlsplit(url).password
    return (password,) if password else ()


def with_search_path(dsn: str, schema: str) -> str:
    """The DSN with its session's search_path set: libpq and the JDBC driver both read `options`."""
    return f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"


def test_a_duplicate_cpf_across_batches_is_rejected_by_row_without_the_value(
    services: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = land_batch(tmp_path / "a", seed=811, associados=20, movimentos=40)
    load_postgres(services["dsn"], verify_batch(first))
    cpf = (first / "associado.csv").read_text(encoding="utf-8").splitlines()[1].split(";")[CPF_COLUMN]

    second = land_batch(tmp_path / "b", seed=812, associados=20, movimentos=40)

    def reuse_cpf(lines: list[str]) -> list[str]:  # data row 3 claims the first batch's associado's CPF
        fields = lines[3].split(";")
        fields[CPF_COLUMN] = cpf
        return [*lines[:3], ";".join(fields), *lines[4:]]

    rewrite_file(second, "associado.csv", reuse_cpf)
    caplog.set_level(logging.INFO)
    with pytest.raises(BatchRejected) as caught:
        load_postgres(services["dsn"], verify_batch(second))

    assert_scrubbed(caught.value, (cpf,), caplog)
    message = str(caught.value)
    assert message.startswith(f"{second}/associado.csv: ")
    assert message.endswith(
        "load/postgres associado.cpf_cnpj row 3: UniqueViolation (SQLSTATE 23505), constraint associado_cpf_cnpj_uq"
    )
    with psycopg2.connect(services["dsn"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM associado WHERE batch_id LIKE 'test-seed812%'")
        assert cursor.fetchone() == (0,)  # all or nothing


def test_a_value_copy_cannot_read_is_named_by_row_and_column(
    services: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    batch_dir = land_batch(tmp_path, seed=813, associados=20, movimentos=40)
    verified = verify_batch(batch_dir)

    # Verification refuses such a file, and the load never reads the file again: the value is put into the
    # verified table itself (a fault injected on purpose), so it reaches PostgreSQL's COPY.
    associado = verified.tables["associado"]
    idade = [str(value) for value in associado["idade"].to_pylist()]
    idade[1] = FORMATTED_CPF
    damaged = associado.set_column(associado.column_names.index("idade"), "idade", pa.array(idade))
    batch = dataclasses.replace(verified, tables={**verified.tables, "associado": damaged})
    caplog.set_level(logging.INFO)
    with pytest.raises(BatchRejected) as caught:
        load_postgres(services["dsn"], batch)

    assert_scrubbed(caught.value, (FORMATTED_CPF, "529.982"), caplog)
    assert str(caught.value).endswith(
        "associado.csv: load/postgres associado.idade row 2: InvalidTextRepresentation (SQLSTATE 22P02)"
    )


def test_a_mongo_duplicate_key_names_rows_and_index_never_documents(
    services: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = f"{services['database']}_scrub"
    planted = f"pix {FORMATTED_CPF} {EMAIL}"
    batch_dir = land_batch(tmp_path, seed=814, associados=20, movimentos=30)

    def same_description(lines: list[str]) -> list[str]:  # unique descriptions but for data rows 5 and 9
        for number in range(1, len(lines)):
            fields = lines[number].split(";")
            fields[2] = planted if number in (5, 9) else f"movimento {number}"
            lines[number] = ";".join(fields)
        return lines

    rewrite_file(batch_dir, "movimento.csv", same_description)
    batch = verify_batch(batch_dir)
    with mongo_client(services["uri"]) as client:
        client.drop_database(database)
        collection = client[database]["movimento"]
        # A unique index the loader does not know: the only way a valid batch breaks a key on this collection.
        collection.create_index([("des_transacao", 1)], name="des_transacao_uq", unique=True)
    caplog.set_level(logging.INFO)
    try:
        with pytest.raises(SourceError) as through_loader:
            load_mongo(services["uri"], database, batch, chunk_rows=10)
        with mongo_client(services["uri"]) as client:
            documents = [
                {"id": n, "des_transacao": f"{planted} again", "email": EMAIL} for n in (1_000_001, 1_000_002)
            ]
            with pytest.raises(SourceError) as direct:
                call_scrubbed(
                    lambda: client[database]["movimento"].insert_many(documents, ordered=False),
                    stage="load",
                    source="mongodb",
                    table="movimento",
                )
    finally:
        with mongo_client(services["uri"]) as client:
            client.drop_database(database)

    for error in (through_loader.value, direct.value):
        assert_scrubbed(error, (FORMATTED_CPF, EMAIL, "529.982"), caplog)
        assert not is_transient(error)
        assert "code 11000 DuplicateKey" in str(error)
        assert "index des_transacao_uq" in str(error)
    assert str(through_loader.value) == (
        "load/mongodb movimento row 9: BulkWriteError (code 11000 DuplicateKey), 1 failed write, "
        "index des_transacao_uq"
    )


@pytest.fixture
def scratch_sources(services: dict[str, str]) -> Iterator[dict[str, str]]:
    """Two PostgreSQL schemas shaped like the sources (one whose idade holds a value the extraction's cast
    refuses) and a MongoDB database whose movimento holds a value the connector's schema refuses."""
    database = f"{services['database']}_scrub_extract"
    with psycopg2.connect(services["dsn"]) as connection, connection.cursor() as cursor:
        for schema, idade in (("scrub_bad", FORMATTED_CPF), ("scrub_ok", "30")):
            cursor.execute(
                f"""
                DROP SCHEMA IF EXISTS {schema} CASCADE;
                CREATE SCHEMA {schema};
                CREATE TABLE {schema}.associado (
                    id bigint, nome text, sobrenome text, idade text, email text, cpf_cnpj text);
                CREATE TABLE {schema}.conta (id bigint, tipo text, data_criacao timestamp, id_associado bigint);
                CREATE TABLE {schema}.cartao (id bigint, num_cartao text, nom_impresso text,
                    data_criacao timestamp, id_conta bigint, id_associado bigint);
                CREATE TABLE {schema}.extract_cartao (batch_id text, id bigint);
                INSERT INTO {schema}.extract_cartao VALUES ('scrub-batch', 1);
                INSERT INTO {schema}.cartao VALUES (1, '4111111111111111', 'MARIA SILVA', now(), 1, 1);
                INSERT INTO {schema}.conta VALUES (1, 'CORRENTE', now(), 1);
                """
            )
            cursor.execute(
                f"INSERT INTO {schema}.associado VALUES (1, 'Maria', 'Silva', %s, %s, '52998224725')",
                (idade, EMAIL),
            )
    with mongo_client(services["uri"]) as client:
        client.drop_database(database)
        client[database]["movimento"].insert_one(
            {
                "_id": 1,
                "id": 1,
                "vlr_transacao": FORMATTED_CPF,
                "des_transacao": EMAIL,
                "batch_id": "scrub-batch",
            }
        )
        client[database]["movimento_extract"].insert_one(
            {
                "_id": "scrub-batch#000000#000000",
                "batch_id": "scrub-batch",
                "part": "scrub-batch#000000",
                "ids": [1],
            }
        )
    yield {"database": database}
    with psycopg2.connect(services["dsn"]) as connection, connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS scrub_bad CASCADE; DROP SCHEMA IF EXISTS scrub_ok CASCADE")
    with mongo_client(services["uri"]) as client:
        client.drop_database(database)


def run_extract(monkeypatch: pytest.MonkeyPatch, dsn: str, database: str) -> SourceError:
    """The extract task's own code (without a Prefect run) against the given sources; the error it raises."""
    monkeypatch.setenv("SICOOP_POSTGRES_DSN", dsn)
    monkeypatch.setenv("SICOOP_MONGO_DATABASE", database)
    get_settings.cache_clear()
    try:
        with disable_run_logger(), pytest.raises(SourceError) as caught:
            extract_sources.fn("scrub-batch")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    return caught.value


def test_a_value_spark_jdbc_cannot_cast_is_reduced_to_the_java_cause_chain(
    services: dict[str, str],
    scratch_sources: dict[str, str],
    spark: SparkSession,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    error = run_extract(
        monkeypatch, with_search_path(services["dsn"], "scrub_bad"), scratch_sources["database"]
    )
    assert_scrubbed(error, (FORMATTED_CPF, "529.982"), caplog)
    assert not is_transient(error)
    assert str(error) == (
        "extract/postgres associado: org.apache.spark.SparkException caused by "
        "org.postgresql.util.PSQLException (SQLSTATE 22P02 InvalidTextRepresentation)"
    )


def test_a_value_the_mongodb_connector_cannot_convert_is_reduced_to_the_field(
    services: dict[str, str],
    scratch_sources: dict[str, str],
    spark: SparkSession,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    error = run_extract(
        monkeypatch, with_search_path(services["dsn"], "scrub_ok"), scratch_sources["database"]
    )
    assert_scrubbed(error, (FORMATTED_CPF, "529.982", EMAIL), caplog)
    assert not is_transient(error)
    assert str(error) == (
        "extract/mongodb movimento.vlr_transacao: org.apache.spark.SparkException caused by "
        "com.mongodb.spark.sql.connector.exceptions.DataException"
    )


def test_a_refused_postgres_connection_is_still_transient_after_scrubbing(
    services: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dsn = with_port(services["dsn"], closed_port())
    batch = verify_batch(land_batch(tmp_path, seed=815, associados=20, movimentos=40))
    caplog.set_level(logging.INFO)
    with pytest.raises(SourceUnavailable) as caught:
        load_postgres(dsn, batch)
    assert_scrubbed(caught.value, passwords(dsn), caplog)
    assert is_transient(caught.value)
    assert retry_on_transient(None, None, Failed(data=caught.value))
    assert str(caught.value) == "load/postgres: OperationalError"


def test_a_refused_jdbc_connection_is_transient_after_scrubbing(
    services: dict[str, str], spark: SparkSession, caplog: pytest.LogCaptureFixture
) -> None:
    # Spark reports it as AnalysisException [FAILED_JDBC.CONNECTION], whose text names no Java cause: only the
    # cause chain read before scrubbing (PSQLException 08001, java.net.ConnectException) shows it is transient.
    dsn = with_port(services["dsn"], closed_port())
    caplog.set_level(logging.INFO)
    with pytest.raises(SourceUnavailable) as caught:
        read_referenced_rows(spark, dsn, "associado", "scrub-batch")
    assert_scrubbed(caught.value, passwords(dsn), caplog)
    assert retry_on_transient(None, None, Failed(data=caught.value))
    assert "java.net.ConnectException" in str(caught.value)
    assert "SQLSTATE 08001" in str(caught.value)


def test_an_unreachable_mongodb_is_still_transient_after_scrubbing(
    services: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    uri = with_port(services["uri"], closed_port())  # the loader's client waits 10 s for a server
    batch = verify_batch(land_batch(tmp_path, seed=816, associados=20, movimentos=40))
    caplog.set_level(logging.INFO)
    with pytest.raises(SourceUnavailable) as caught:
        load_mongo(uri, services["database"], batch, chunk_rows=10)
    assert_scrubbed(caught.value, passwords(uri), caplog)
    assert retry_on_transient(None, None, Failed(data=caught.value))
    assert str(caught.value) == "load/mongodb movimento: ServerSelectionTimeoutError"


EXTRACT_IN_A_FRESH_PROCESS = """
import sys
from prefect.logging import disable_run_logger
from tasks.errors import SourceError
from tasks.extract.task import extract_sources
try:
    with disable_run_logger():
        extract_sources.fn("scrub-batch")
except SourceError as error:
    print("scrubbed:", error, flush=True)
    sys.exit(3)
"""


def spark_stderr(dsn: str, database: str, log_config: Path | None, scratch: Path) -> str:
    """Run the extract task's code in a fresh process (its own JVM) and return what it printed to stderr.

    From a script file, not `python -c`: with no __main__ file, an import on the way (pyspark's connect modules'
    doctest guard) can run as __main__ and exit the process early."""
    env = {**os.environ, "SICOOP_POSTGRES_DSN": dsn, "SICOOP_MONGO_DATABASE": database}
    if log_config is not None:
        env["SICOOP_SPARK_LOG4J2_CONFIG"] = str(log_config)
    script = scratch / "extract_in_a_fresh_process.py"
    script.write_text(EXTRACT_IN_A_FRESH_PROCESS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, done.stderr[-3000:]
    return done.stderr + done.stdout


def test_sparks_own_log_never_prints_a_value(
    services: dict[str, str], scratch_sources: dict[str, str], tmp_path: Path
) -> None:
    """Spark's driver and executors log to stderr, outside Python's logging. With the project's log4j2
    configuration the failing value is absent; with Spark's defaults (the planted fault) it is there."""
    dsn = with_search_path(services["dsn"], "scrub_bad")
    verbose = tmp_path / "spark-defaults.properties"
    verbose.write_text(
        "rootLogger.level = warn\nrootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\nappender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %p %c{1}: %m%n%ex\n"
    )
    assert FORMATTED_CPF in spark_stderr(dsn, scratch_sources["database"], verbose, tmp_path)
    assert FORMATTED_CPF not in spark_stderr(dsn, scratch_sources["database"], None, tmp_path)

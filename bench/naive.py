"""A baseline that follows the earlier implementation's steps (../shared/reference.md), on the same batch and
the same PostgreSQL, MongoDB-wire server and Spark, so the pipeline is compared with the approach it replaces:

load:      Spark reads each CSV -> pandas -> COPY into PostgreSQL; movimento: collect() -> insert_many
extract:   fetchall -> pandas -> createDataFrame; MongoDB find() -> pandas -> createDataFrame
transform: joins (by the foreign keys, not its row-id joins), then masks as row-at-a-time Python UDFs on the
           joined output, as it masked its output table `asso_conta_movi` (every row carries a document, an
           e-mail and a card number)
checks:    seven separate count() actions
export:    overwrite the CSV (one file), Delta and Parquet

It writes to its own PostgreSQL schema and MongoDB database, and its own output folder.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

T = TypeVar("T")
SCHEMA = "naive_bench"
MONGO_DATABASE = "sicooperative_naive_bench"
MASTER_TABLES = ("associado", "conta", "cartao")


@dataclass
class NaiveResult:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: int = 0

    def time(self, stage: str, call: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = call()
        self.seconds[stage] = time.perf_counter() - started
        return result

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def _mask_document(value: str | None) -> str | None:
    if value is None:
        return None
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[:3] + "X" * (len(digits) - 5) + digits[-2:]


def _mask_card(value: str | None) -> str | None:
    if value is None:
        return None
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[:6] + "X" * (len(digits) - 10) + digits[-4:]


def _mask_email(value: str | None) -> str | None:
    if value is None or "@" not in value:
        return value
    user, domain = value.rsplit("@", 1)
    return user[:4] + "*" * max(len(user) - 4, 0) + "@" + "*" * max(len(domain) - 4, 0) + domain[-4:]


def run_naive(batch: Path, output: Path, dsn: str, mongo_uri: str) -> NaiveResult:
    import psycopg2
    from pymongo import MongoClient
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    from tasks.spark_session import get_spark

    spark = get_spark(app_name="bench-naive")
    result = NaiveResult()
    read = spark.read.option("header", True).option("sep", ";").option("inferSchema", True)

    def load() -> None:
        import pandas as pd

        connection = psycopg2.connect(dsn)
        with connection, connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
            for table in MASTER_TABLES:
                frame = cast(pd.DataFrame, read.csv(str(batch / f"{table}.csv")).toPandas())
                columns = ", ".join(f"{name} text" for name in frame.columns)
                cursor.execute(f"CREATE TABLE {SCHEMA}.{table} ({columns})")
                buffer = io.StringIO()
                frame.to_csv(buffer, index=False, header=False, sep="\t")
                buffer.seek(0)
                cursor.copy_expert(
                    f"COPY {SCHEMA}.{table} FROM STDIN WITH (FORMAT csv, DELIMITER E'\\t')", buffer
                )
        connection.close()
        rows = [row.asDict() for row in read.csv(str(batch / "movimento.csv")).collect()]
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
        with client:
            client.drop_database(MONGO_DATABASE)
            client[MONGO_DATABASE]["movimento"].insert_many(rows)

    def extract() -> dict[str, DataFrame]:
        import pandas as pd

        frames: dict[str, DataFrame] = {}
        connection = psycopg2.connect(dsn)
        with connection, connection.cursor() as cursor:
            for table in MASTER_TABLES:
                cursor.execute(f"SELECT * FROM {SCHEMA}.{table}")
                names = [column.name for column in cursor.description]
                frames[table] = spark.createDataFrame(pd.DataFrame(cursor.fetchall(), columns=names))
        connection.close()
        client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
        with client:
            # MongoDB caps each reply at 16 MB by itself; the stand-in needs the batch size said explicitly.
            found = client[MONGO_DATABASE]["movimento"].find({}, {"_id": False}).batch_size(50_000)
            documents = list(found)
        frames["movimento"] = spark.createDataFrame(pd.DataFrame(documents).astype(str))
        return frames

    def transform(frames: dict[str, DataFrame]) -> DataFrame:
        document, card, email = (
            F.udf(rule, StringType()) for rule in (_mask_document, _mask_card, _mask_email)
        )
        m, c, ct, a = (frames[name] for name in ("movimento", "cartao", "conta", "associado"))
        joined = (
            m.alias("m")
            .join(c.alias("c"), F.col("m.id_cartao") == F.col("c.id"), "left")
            .join(ct.alias("ct"), F.col("c.id_conta") == F.col("ct.id"), "left")
            .join(a.alias("a"), F.col("ct.id_associado") == F.col("a.id"), "left")
            .select(
                F.col("a.nome").alias("nome_associado"),
                F.col("a.sobrenome").alias("sobrenome_associado"),
                F.col("a.idade").alias("idade_associado"),
                F.col("m.vlr_transacao").cast("decimal(10,2)").alias("vlr_transacao_movimento"),
                F.col("m.des_transacao").alias("des_transacao_movimento"),
                F.col("m.data_movimento").cast("timestamp").alias("data_movimento"),
                F.col("c.num_cartao").alias("numero_cartao"),
                F.col("c.nom_impresso").alias("nome_impresso_cartao"),
                F.col("c.data_criacao").alias("data_criacao_cartao"),
                F.col("ct.tipo").alias("tipo_conta"),
                F.col("ct.data_criacao").alias("data_criacao_conta"),
                F.col("m.id").alias("id_movimento"),
                F.col("m.tipo_transacao"),
                F.col("a.email").alias("email_associado"),
                F.col("a.cpf_cnpj").alias("documento_associado"),
            )
        )
        return joined.withColumns(
            {
                "tipo_pessoa": F.when(F.length("documento_associado") > 11, "PJ").otherwise("PF"),
                "documento_associado": document("documento_associado"),
                "email_associado": email("email_associado"),
                "numero_cartao": card("numero_cartao"),
                "unique_id": F.md5(F.concat_ws("|", "id_movimento", "vlr_transacao_movimento")),
            }
        )

    def checks(flat: DataFrame) -> int:
        rows = flat.count()
        assert rows > 0
        assert flat.where(F.col("id_movimento").isNull()).count() == 0
        assert flat.where(F.col("vlr_transacao_movimento").isNull()).count() == 0
        assert flat.where(F.col("vlr_transacao_movimento") < 0).count() == 0
        assert flat.where(F.col("data_movimento") > F.current_timestamp()).count() == 0
        assert flat.where(~F.col("email_associado").contains("@")).count() == 0
        assert flat.select("unique_id").distinct().count() == rows
        return int(rows)

    def export(flat: DataFrame) -> None:
        flat.coalesce(1).write.mode("overwrite").option("header", True).csv(str(output / "csv"))
        flat.write.mode("overwrite").format("delta").save(str(output / "delta"))
        flat.write.mode("overwrite").parquet(str(output / "parquet"))

    result.time("load", load)
    frames = result.time("extract", extract)
    flat = result.time("transform", lambda: transform(frames))
    result.rows = result.time("checks", lambda: checks(flat))
    result.time("export", lambda: export(flat))
    return result

"""Load a landed batch into the real PostgreSQL and MongoDB-wire server, then extract it with Spark."""

from decimal import Decimal
from pathlib import Path

import psycopg2
import pyarrow.compute as pc
import pytest
from pyspark.sql import SparkSession

from tasks.clients.mongo import mongo_client
from tasks.extract.mongo import read_movimento
from tasks.extract.postgres import read_referenced_rows
from tasks.landing.verification import BatchRejected, VerifiedBatch, verify_batch
from tasks.load.mongo import MongoUpsertCount, load_mongo
from tasks.load.postgres import UpsertCount, load_postgres
from tests.utils.batches import land_batch, rewrite_file

Loaded = tuple[VerifiedBatch, dict[str, UpsertCount], MongoUpsertCount]


def pg_count(dsn: str, table: str, where: str = "TRUE") -> int:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}")
        return int(cursor.fetchone()[0])


@pytest.fixture(scope="module")
def loaded(services: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    batch = verify_batch(
        land_batch(tmp_path_factory.mktemp("landing"), seed=21, associados=300, movimentos=3_000)
    )
    first_pg = load_postgres(services["dsn"], batch)
    first_mongo = load_mongo(services["uri"], services["database"], batch, chunk_rows=1_000)
    return batch, first_pg, first_mongo


def test_first_load_inserts_every_row(loaded: Loaded, services: dict[str, str]) -> None:
    batch, first_pg, first_mongo = loaded
    for table in ("associado", "conta", "cartao"):
        assert first_pg[table].inserted == batch.rows(table)
        assert pg_count(services["dsn"], table, f"batch_id = '{batch.batch_id}'") == batch.rows(table)
    assert first_mongo.inserted == 3_000
    with mongo_client(services["uri"]) as client:
        document = client[services["database"]]["movimento"].find_one({"batch_id": batch.batch_id})
    assert document is not None
    assert type(document["vlr_transacao"]).__name__ == "Decimal128"
    assert type(document["data_movimento"]).__name__ == "datetime"


def test_loading_the_same_batch_again_changes_nothing(loaded: Loaded, services: dict[str, str]) -> None:
    batch, _, _ = loaded
    again_pg = load_postgres(services["dsn"], batch)
    again_mongo = load_mongo(services["uri"], services["database"], batch, chunk_rows=1_000)
    assert all(count.inserted == 0 and count.updated == 0 for count in again_pg.values())
    assert (again_mongo.inserted, again_mongo.updated) == (0, 0)
    assert pg_count(services["dsn"], "associado", f"batch_id = '{batch.batch_id}'") == 300


def test_spark_extracts_only_what_the_batch_references_with_real_types(
    loaded: Loaded, services: dict[str, str], spark: SparkSession
) -> None:
    batch, _, _ = loaded
    movimento = read_movimento(spark, services["uri"], services["database"], batch.batch_id)
    assert movimento.count() == 3_000
    expected = batch.tables["movimento"].slice(0, 1).to_pylist()[0]
    row = movimento.where(f"id = {expected['id']}").first()
    assert row is not None
    assert row["vlr_transacao"] == Decimal(expected["vlr_transacao"])
    assert row["data_movimento"] == expected["data_movimento"]

    referenced = set(pc.unique(batch.tables["movimento"]["id_cartao"]).to_pylist())
    cartao = read_referenced_rows(spark, services["dsn"], "cartao", batch.batch_id)
    assert {r["id"] for r in cartao.select("id").collect()} == referenced  # not the whole table
    conta = read_referenced_rows(spark, services["dsn"], "conta", batch.batch_id)
    assert dict(conta.dtypes)["tipo"] == "string"
    associado = read_referenced_rows(spark, services["dsn"], "associado", batch.batch_id)
    holders = {r["id_associado"] for r in conta.collect()}
    assert {r["id"] for r in associado.select("id").collect()} == holders


def test_a_batch_breaking_a_constraint_loads_nothing(services: dict[str, str], tmp_path: Path) -> None:
    batch_dir = land_batch(tmp_path, seed=22, associados=50, movimentos=100)

    # The last cartao now claims the first associado (who exists) while its conta belongs to the last one:
    # the composite foreign key (id_conta, id_associado) refuses it.
    def wrong_owner(lines: list[str]) -> list[str]:
        fields = lines[-1].split(";")
        assert fields[-1] != "22000001"
        fields[-1] = "22000001"
        return [*lines[:-1], ";".join(fields)]

    rewrite_file(batch_dir, "cartao.csv", wrong_owner)
    with pytest.raises(BatchRejected, match=r"cartao\.csv: .*cartao_conta_titular_fk") as caught:
        load_postgres(services["dsn"], verify_batch(batch_dir))
    assert "Failing row" not in str(caught.value)  # the server's DETAIL (a whole row) is never echoed
    for table in ("associado", "conta", "cartao"):
        assert pg_count(services["dsn"], table, "batch_id LIKE 'test-seed22%'") == 0, table


def test_the_extract_plan_sizes_parts_to_the_reply_limit(
    services: dict[str, str], spark: SparkSession, tmp_path: Path
) -> None:
    """Parts are sized from the documents' size: a small reply budget gives many parts, each one partition,
    together exactly the batch (the same holds for 8 MiB parts of a batch of millions)."""
    batch = verify_batch(land_batch(tmp_path, seed=23, associados=50, movimentos=2_000))
    loaded = load_mongo(services["uri"], services["database"], batch, chunk_rows=500, reply_bytes=40_000)
    assert loaded.extract_parts >= 10
    movimento = read_movimento(spark, services["uri"], services["database"], batch.batch_id)
    assert movimento.rdd.getNumPartitions() == loaded.extract_parts
    ids = [row["id"] for row in movimento.select("id").collect()]
    assert sorted(ids) == sorted(batch.tables["movimento"]["id"].to_pylist())

"""Load a landed batch into the real PostgreSQL and MongoDB-wire server, then extract it with Spark."""

from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from pyspark.sql import SparkSession

from tasks.extract.mongo import read_movimento
from tasks.extract.postgres import read_postgres_table
from tasks.landing.verification import BatchRejected, verify_batch
from tasks.load.mongo import load_mongo, mongo_client
from tasks.load.postgres import load_postgres
from tests.batches import land_batch, rewrite_file


def pg_count(dsn: str, table: str, where: str = "TRUE") -> int:
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}")
        return int(cursor.fetchone()[0])


@pytest.fixture(scope="module")
def loaded(services: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    batch = verify_batch(
        land_batch(tmp_path_factory.mktemp("landing"), seed=21, associados=300, movimentos=3_000)
    )
    first_pg = load_postgres(services["dsn"], batch)
    first_mongo = load_mongo(services["uri"], services["database"], batch, chunk_rows=1_000)
    return batch, first_pg, first_mongo


def test_first_load_inserts_every_row(loaded, services) -> None:
    batch, first_pg, first_mongo = loaded
    for table in ("associado", "conta", "cartao"):
        assert first_pg[table].inserted == batch.rows(table)
        assert pg_count(services["dsn"], table, f"batch_id = '{batch.batch_id}'") == batch.rows(table)
    assert first_mongo.inserted == 3_000
    with mongo_client(services["uri"]) as client:
        document = client[services["database"]]["movimento"].find_one({"batch_id": batch.batch_id})
    assert type(document["vlr_transacao"]).__name__ == "Decimal128"
    assert type(document["data_movimento"]).__name__ == "datetime"


def test_loading_the_same_batch_again_changes_nothing(loaded, services) -> None:
    batch, _, _ = loaded
    again_pg = load_postgres(services["dsn"], batch)
    again_mongo = load_mongo(services["uri"], services["database"], batch, chunk_rows=1_000)
    assert all(count.inserted == 0 and count.updated == 0 for count in again_pg.values())
    assert (again_mongo.inserted, again_mongo.updated) == (0, 0)
    assert pg_count(services["dsn"], "associado", f"batch_id = '{batch.batch_id}'") == 300


def test_spark_extracts_in_parallel_partitions_with_real_types(loaded, services, spark: SparkSession) -> None:
    batch, _, _ = loaded
    movimento = read_movimento(spark, services["uri"], services["database"], batch.batch_id, partitions=3)
    assert movimento.rdd.getNumPartitions() == 3
    assert movimento.count() == 3_000
    expected = batch.tables["movimento"].slice(0, 1).to_pylist()[0]
    row = movimento.where(f"id = {expected['id']}").first()
    assert row["vlr_transacao"] == Decimal(expected["vlr_transacao"])
    assert row["data_movimento"] == expected["data_movimento"]

    cartao = read_postgres_table(spark, services["dsn"], "cartao", partitions=4)
    assert cartao.rdd.getNumPartitions() == 4
    assert cartao.where("id BETWEEN 21000000 AND 21999999").count() == batch.rows("cartao")
    conta = read_postgres_table(spark, services["dsn"], "conta", partitions=2)
    assert dict(conta.dtypes)["tipo"] == "string"


def test_a_batch_breaking_a_constraint_loads_nothing(services, tmp_path: Path) -> None:
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

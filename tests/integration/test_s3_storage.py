"""The S3 code path against a real S3 API: the local S3Proxy of `make services`, or any S3 (AWS included) named
by SICOOP_S3_* and SICOOP_TEST_S3_BUCKET. pyarrow (tasks.storage) and Spark's S3A read and write the same
objects; every test works under its own prefix of the test bucket and deletes it afterwards."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pytest
from deltalake import DeltaTable as RustDeltaTable
from pydantic import SecretStr
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks import storage
from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.export.delta import merge_into_delta
from tasks.export.files import BatchFiles, publish, stage_batch
from tasks.settings import Settings, get_settings
from tasks.spark_session import s3a_options
from tasks.storage import Location, resolve
from tests.utils.frames import clean_flat

MIB = 1024 * 1024


@pytest.fixture
def s3_spark(spark: SparkSession, s3_settings: Settings) -> SparkSession:
    """The shared session, checked to have been configured for the same S3 as pyarrow."""
    if s3_settings.s3_endpoint:
        assert spark.conf.get("spark.hadoop.fs.s3a.endpoint", None) == s3_settings.s3_endpoint
    return spark


def test_pyarrow_writes_lists_reads_moves_and_downloads(s3_prefix: Location, tmp_path: Path) -> None:
    batch = s3_prefix.join("landing", "batch-1")
    large = os.urandom(12 * MIB)  # above pyarrow's 10 MiB part size: a multipart upload
    batch.join("movimento.csv").write_bytes(large)
    batch.join("_manifest.json").write_bytes(b'{"batch_id": "batch-1"}')
    s3_prefix.join("landing", "batch-2", "a.csv").write_bytes(b"x;y\n1;2\n")

    assert batch.exists() and batch.join("_manifest.json").exists()
    assert not s3_prefix.join("landing", "batch-3").exists()
    assert [f.name for f in s3_prefix.join("landing").list_folders()] == ["batch-1", "batch-2"]
    assert [f.name for f in batch.list_files()] == ["_manifest.json", "movimento.csv"]
    assert s3_prefix.join("nowhere").list_folders() == []
    assert batch.join("_manifest.json").read_bytes() == b'{"batch_id": "batch-1"}'
    with batch.join("movimento.csv").open_input() as stream:
        assert hashlib.sha256(stream.read()).digest() == hashlib.sha256(large).digest()

    # Rewriting replaces the object whole.
    batch.join("_manifest.json").write_bytes(b"{}")
    assert batch.join("_manifest.json").read_bytes() == b"{}"

    downloaded = batch.download_to(tmp_path / "batch-1")
    assert sorted(p.name for p in downloaded) == ["_manifest.json", "movimento.csv"]
    assert (tmp_path / "batch-1" / "movimento.csv").read_bytes() == large

    rejected = batch.move_folder_to(s3_prefix.join("landing", "_rejected", "batch-1"))
    assert not batch.exists()
    assert rejected.join("movimento.csv").read_bytes() == large
    with pytest.raises(FileExistsError):
        s3_prefix.join("landing", "batch-2").move_folder_to(resolve(rejected))

    # The same URI through s3a:// is the same object; Spark gets s3a:// paths.
    assert storage.resolve(rejected.uri.replace("s3://", "s3a://")) == rejected
    assert storage.resolve(rejected.uri).spark_path == "s3a://" + rejected.path

    # Local upload to S3 and back (across filesystems).
    local = tmp_path / "local-batch"
    local.mkdir()
    (local / "conta.csv").write_bytes(b"id\n1\n")
    storage.resolve(local).copy_folder_to(s3_prefix.join("uploaded"))
    assert s3_prefix.join("uploaded", "conta.csv").read_bytes() == b"id\n1\n"

    s3_prefix.join("landing").delete_folder()
    assert not s3_prefix.join("landing").exists()


def test_multipart_uploads_from_s3a_and_pyarrow(s3_spark: SparkSession, s3_prefix: Location) -> None:
    """An S3A stream larger than its part size (5 MiB, the S3 minimum) and a large pyarrow write both
    complete as multipart uploads (an ETag ending in -<parts>) and read back intact by the other client."""
    jvm = s3_spark.sparkContext._jvm
    assert jvm is not None
    conf = jvm.org.apache.hadoop.conf.Configuration(s3_spark.sparkContext._jsc.hadoopConfiguration())
    conf.set("fs.s3a.multipart.size", "5M")
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    fs = jvm.org.apache.hadoop.fs.FileSystem.newInstance(jvm.java.net.URI(s3_prefix.spark_path), conf)
    try:
        block = os.urandom(MIB)
        s3a_file = s3_prefix.join("s3a.bin")
        out = fs.create(hadoop_path(s3a_file.spark_path), True)
        for _ in range(12):
            out.write(bytearray(block))
        out.close()
        assert fs.getFileStatus(hadoop_path(s3a_file.spark_path)).getEtag().strip('"').endswith("-3")
        assert storage.resolve(s3a_file).read_bytes() == block * 12

        pyarrow_file = s3_prefix.join("pyarrow.bin")
        storage.resolve(pyarrow_file).write_bytes(block * 12)
        status = fs.getFileStatus(hadoop_path(pyarrow_file.spark_path))
        assert status.getLen() == 12 * MIB
        assert status.getEtag().strip('"').endswith("-2")
    finally:
        fs.close()


def test_spark_delta_merge_on_s3(s3_spark: SparkSession, s3_prefix: Location, s3_settings: Settings) -> None:
    table = s3_prefix.join("delta", "movimento_flat")
    published = clean_flat(s3_spark, rows=20).select(*OUTPUT_COLUMNS)

    first = merge_into_delta(s3_spark, table.spark_path, published)
    again = merge_into_delta(s3_spark, table.spark_path, published)
    assert (first.inserted, again.inserted, again.updated) == (20, 0, 0)
    # A second batch: 1020-1024 are new, 1015-1019 come corrected (another description, so another hash).
    corrected = F.col("id_movimento") < 1020
    newer = (
        clean_flat(s3_spark, rows=25)
        .where("id_movimento >= 1015")
        .withColumn("batch_id", F.when(corrected, F.col("batch_id")).otherwise(F.lit("b2")))
        .withColumn("des_transacao_movimento", F.lit("Compra corrigida"))
        .withColumn(
            "row_hash", F.when(corrected, F.sha2(F.col("row_hash"), 256)).otherwise(F.col("row_hash"))
        )
    )
    added = merge_into_delta(s3_spark, table.spark_path, newer.select(*OUTPUT_COLUMNS))
    assert (added.inserted, added.updated, added.version) == (5, 5, 3)

    read = s3_spark.read.format("delta").load(table.spark_path)
    assert read.count() == 25
    assert read.where("batch_id = 'b2'").count() == 5
    assert read.where("des_transacao_movimento = 'Compra corrigida'").count() == 10
    log = [f.name for f in table.join("_delta_log").list_files()]
    assert {"00000000000000000000.json", "00000000000000000003.json"} <= set(log)

    # An independent reader (delta-rs) sees the same table through the same endpoint and keys.
    options = {"AWS_REGION": s3_settings.s3_region or "us-east-1"}
    if s3_settings.s3_endpoint:
        options |= {"AWS_ENDPOINT_URL": s3_settings.s3_endpoint, "AWS_ALLOW_HTTP": "true"}
    if s3_settings.s3_access_key_id and s3_settings.s3_secret_access_key:
        options |= {
            "AWS_ACCESS_KEY_ID": s3_settings.s3_access_key_id.get_secret_value(),
            "AWS_SECRET_ACCESS_KEY": s3_settings.s3_secret_access_key.get_secret_value(),
        }
    rust = RustDeltaTable(table.uri, storage_options=options)
    assert rust.version() == 3
    assert rust.to_pyarrow_dataset().count_rows() == 25


def test_batch_files_staged_and_published_on_s3(s3_spark: SparkSession, s3_prefix: Location) -> None:
    b1 = clean_flat(s3_spark, rows=10).select(*OUTPUT_COLUMNS)
    b2 = clean_flat(s3_spark, rows=4).withColumn("batch_id", F.lit("b2")).select(*OUTPUT_COLUMNS)
    for attempt, (rows, batch_id) in enumerate([(b1, "b1"), (b1, "b1"), (b2, "b2")]):
        staged = BatchFiles.staged(s3_prefix.join("_staging", str(attempt)), "movimento_flat", batch_id)
        stage_batch(rows, staged, batch_id)
        publish(staged, BatchFiles.published(s3_prefix, "movimento_flat", batch_id), s3_prefix.join("_x"))

    target = s3_prefix.join("parquet", "movimento_flat")
    read = s3_spark.read.parquet(target.spark_path)
    assert {r["batch_id"]: r["count"] for r in read.groupBy("batch_id").count().collect()} == {
        "b1": 10,
        "b2": 4,
    }
    assert [f.name for f in storage.resolve(target).list_folders()] == ["batch_id=b1", "batch_id=b2"]
    csv = s3_prefix.join("csv", "movimento_flat", "b2.csv").read_bytes().decode("utf-8").splitlines()
    assert len(csv) == 5


def test_spark_coalesced_csv_on_s3(s3_spark: SparkSession, s3_prefix: Location) -> None:
    target = s3_prefix.join("csv", "movimento_flat")
    frame = clean_flat(s3_spark, rows=15).select(*[F.col(c).cast("string") for c in OUTPUT_COLUMNS])
    frame.orderBy("id_movimento").coalesce(1).write.option("header", True).csv(target.spark_path)

    parts = [f for f in storage.resolve(target).list_files() if f.name.startswith("part-")]
    assert len(parts) == 1 and parts[0].name.endswith(".csv")
    lines = storage.resolve(parts[0]).read_bytes().decode("utf-8").splitlines()
    assert lines[0].split(",")[:3] == ["nome_associado", "sobrenome_associado", "idade_associado"]
    assert len(lines) == 16
    assert s3_spark.read.option("header", True).csv(target.spark_path).count() == 15


# `_env_file=None` (read no .env file) is an argument of BaseSettings.__init__ that mypy does not see: it
# builds Settings' signature from the fields alone (no pydantic plugin), hence `type: ignore[call-arg]`.
def test_s3a_options_follow_the_settings() -> None:
    local = Settings(  # type: ignore[call-arg]
        s3_endpoint="http://127.0.0.1:9000",
        s3_access_key_id=SecretStr("AKEXAMPLE"),
        s3_secret_access_key=SecretStr("secret-example"),
        s3_region=None,
        _env_file=None,
    )
    options = s3a_options(local)
    assert options["fs.s3a.endpoint"] == "http://127.0.0.1:9000"
    assert options["fs.s3a.path.style.access"] == "true"
    assert options["fs.s3a.connection.ssl.enabled"] == "false"
    assert options["fs.s3a.endpoint.region"] == "us-east-1"
    assert options["fs.s3a.access.key"] == "AKEXAMPLE"
    assert "secret-example" not in repr(local)

    aws = s3a_options(
        Settings(  # type: ignore[call-arg]
            s3_endpoint=None, s3_region=None, s3_access_key_id=None, s3_secret_access_key=None, _env_file=None
        )
    )
    assert aws == {
        "fs.s3a.aws.credentials.provider": "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
    }
    with pytest.raises(ValueError, match="both"):
        s3a_options(Settings(s3_access_key_id=SecretStr("AK"), s3_secret_access_key=None, _env_file=None))  # type: ignore[call-arg]


def test_uris_and_spark_paths(tmp_path: Path, s3_prefix: Location) -> None:
    assert storage.resolve("s3://bucket/a/b/").spark_path == "s3a://bucket/a/b"
    assert storage.resolve(tmp_path / "x").spark_path == str(tmp_path / "x")
    assert storage.resolve(f"file://{tmp_path}").uri == str(tmp_path)
    assert storage.resolve("s3://bucket/a/").join("/b/", "c").uri == "s3://bucket/a/b/c"
    with pytest.raises(ValueError):
        storage.resolve("gs://bucket/a")
    with pytest.raises(ValueError):
        storage.resolve("s3://" + s3_prefix.path.split("/")[0]).delete_folder()
    # A pickled location (e.g. a task parameter) carries its URI, never the filesystem's keys.
    secret = get_settings().s3_secret_access_key
    pickled = pickle.dumps(s3_prefix)
    assert pickle.loads(pickled) == s3_prefix
    assert secret is None or secret.get_secret_value().encode() not in pickled

"""One SparkSession per process, with Delta Lake, the PostgreSQL JDBC driver and the MongoDB Spark connector.

Jars are resolved from Maven Central once, by Spark's own Ivy, into the project's cache (`SICOOP_JARS_DIR`,
default `.cache/jars`); every later start passes the cached files directly (`spark.jars`), which needs no
network and starts faster than re-resolving. `python -m tasks.spark_session` resolves them ahead of time
(the Docker image does it at build time).

Versions: delta-spark's pip package is 4.4.1 but Maven Central serves its jar as 4.4.0 (the Python code of the
two releases is identical but for its version string); the coordinate follows pyspark's major.minor (4.2).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

from pyspark.sql import SparkSession

from tasks.settings import Settings, get_settings

DELTA_PACKAGE = "io.delta:delta-spark_4.2_2.13:4.4.0"
EXTRA_PACKAGES = (
    "org.postgresql:postgresql:42.7.14",
    "org.mongodb.spark:mongo-spark-connector_2.13:10.5.0",
)
# The jar files (as Ivy names them) the session needs at run time. Ivy also fetches transitive dependencies that
# pyspark already ships in newer versions (hadoop, parquet, jackson); those stay out of the class path.
REQUIRED_JARS = (
    "io.delta_delta-spark_4.2_2.13-4.4.0.jar",
    "io.delta_delta-storage-4.4.0.jar",
    "org.postgresql_postgresql-42.7.14.jar",
    "org.mongodb.spark_mongo-spark-connector_2.13-10.5.0.jar",
    "org.mongodb_bson-5.1.4.jar",
    "org.mongodb_bson-record-codec-5.1.4.jar",
    "org.mongodb_mongodb-driver-core-5.1.4.jar",
    "org.mongodb_mongodb-driver-sync-5.1.4.jar",
)

_lock = threading.Lock()
logger = logging.getLogger(__name__)


def cached_jars(jars_dir: Path) -> list[Path] | None:
    """Every required jar from the cache, or None when any is missing (then Ivy resolves them)."""
    jars = [jars_dir / "jars" / name for name in REQUIRED_JARS]
    return jars if all(jar.is_file() for jar in jars) else None


def _builder(settings: Settings, app_name: str) -> SparkSession.Builder:
    builder: SparkSession.Builder = SparkSession.builder
    return (
        builder.master(settings.spark_master)
        .appName(app_name)
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(settings.spark_shuffle_partitions))
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        # Connection strings carry credentials: redact them from plans, logs and the UI.
        .config("spark.sql.redaction.options.regex", "(?i)url|uri|password|secret|token")
    )


def get_spark(settings: Settings | None = None, app_name: str = "sicooperative") -> SparkSession:
    """The process's SparkSession, created on first use (10-20 s) and shared by every stage."""
    settings = settings or get_settings()
    with _lock:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        # Bind the driver to loopback unless told otherwise (the default guesses an external interface).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # Python workers (if any) run the same interpreter and packages as the driver.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        jars_dir = settings.jars_dir.resolve()
        builder = _builder(settings, app_name)
        jars = cached_jars(jars_dir)
        if jars is not None:
            builder = builder.config("spark.jars", ",".join(str(jar) for jar in jars))
        else:
            logger.info("resolving Spark jars from Maven Central into %s (first run only)", jars_dir)
            builder = (
                builder.config("spark.jars.packages", ",".join((DELTA_PACKAGE, *EXTRA_PACKAGES)))
                .config("spark.jars.ivy", str(jars_dir))
                # The Mongo connector's POM names a version range; without this Ivy re-checks it online.
                .config("spark.driver.extraJavaOptions", "-Divy.cache.ttl.default=eternal")
            )
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("WARN")
        return spark


if __name__ == "__main__":
    session = get_spark(app_name="resolve-jars")
    session.stop()
    resolved = cached_jars(get_settings().jars_dir.resolve())
    if resolved is None:
        raise SystemExit("jar resolution did not produce every required jar")
    print("\n".join(str(jar) for jar in resolved))

"""One SparkSession per process, with Delta Lake, the PostgreSQL JDBC driver and the MongoDB Spark connector.

Jars are resolved from Maven Central once, by Spark's own Ivy, into the project's cache (`SICOOP_JARS_DIR`,
default `.cache/jars`); every later start passes the cached files directly (`spark.jars`), which needs no
network and starts faster than re-resolving. `python -m tasks.spark_session` resolves them ahead of time
(the Docker image does it at build time).

Versions: delta-spark's pip package is 4.4.1 but Maven Central serves its jar as 4.4.0 (the Python code of the
two releases is identical but for its version string); the coordinate follows pyspark's major.minor (4.2).

S3 (`s3a://`): hadoop-aws at pyspark's Hadoop version (3.5.0) with the individual AWS SDK v2 modules it needs,
at the version hadoop-project 3.5.0 pins (2.35.4), instead of the 686 MB `software.amazon.awssdk:bundle` its
POM names. Jars pyspark already ships (netty 4.2, httpclient, slf4j, commons-*) are excluded from resolution, so
one version of each is on the class path. `s3://` locations are not mapped to S3A here: callers convert them
with `Location.spark_path` (tasks/storage; one scheme per table, so Delta's per-path commit lock always applies).

Lineage: the OpenLineage listener (`openlineage-spark`, one shaded jar) is always on the class path; each flow run
attaches its own to the session (`tasks/lineage/spark.py`), so the session can start before the run exists.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from pyspark import SparkContext
from pyspark.sql import SparkSession

from tasks.lineage.spark import REDACTION, follow_parent
from tasks.secrets import s3_keys
from tasks.settings import Settings, get_settings

DELTA_PACKAGE = "io.delta:delta-spark_4.2_2.13:4.4.0"
OPENLINEAGE_VERSION = "1.53.0"  # the OpenLineage listener (tasks/lineage/spark.py); one shaded jar
OPENLINEAGE_PACKAGE = f"io.openlineage:openlineage-spark_2.13:{OPENLINEAGE_VERSION}"
HADOOP_AWS_VERSION = "3.5.0"  # = pyspark's hadoop-client-api/-runtime
AWS_SDK_VERSION = "2.35.4"  # aws-java-sdk-v2.version of hadoop-project 3.5.0
EXTRA_PACKAGES = (
    "org.postgresql:postgresql:42.7.14",
    "org.mongodb.spark:mongo-spark-connector_2.13:10.5.0",
    f"org.apache.hadoop:hadoop-aws:{HADOOP_AWS_VERSION}",
    f"software.amazon.awssdk:s3:{AWS_SDK_VERSION}",
    f"software.amazon.awssdk:s3-transfer-manager:{AWS_SDK_VERSION}",
    # Role and web-identity (EKS IRSA) credentials of the default chain.
    f"software.amazon.awssdk:sts:{AWS_SDK_VERSION}",
    OPENLINEAGE_PACKAGE,
)
# Left out of resolution (spark.jars.excludes, groupId:artifactId, globs allowed): the all-in-one SDK bundle,
# what pyspark already ships in newer versions, and optional pieces S3A loads only when configured.
EXCLUDED_PACKAGES = (
    "software.amazon.awssdk:bundle",
    "org.wildfly.openssl:*",  # fs.s3a.ssl.channel.mode=openssl only
    "io.netty:*",
    "org.apache.httpcomponents:*",
    "org.slf4j:slf4j-api",
    "commons-logging:commons-logging",
    "commons-codec:commons-codec",
    "org.apache.hadoop:hadoop-client-api",
    "org.apache.hadoop:hadoop-client-runtime",
)
# The AWS SDK v2 modules S3A needs (s3, s3-transfer-manager, sts and their dependencies), as Ivy names them.
AWS_SDK_MODULES = (
    "annotations",
    "apache-client",
    "arns",
    "auth",
    "aws-core",
    "aws-query-protocol",
    "aws-xml-protocol",
    "checksums",
    "checksums-spi",
    "crt-core",
    "endpoints-spi",
    "http-auth",
    "http-auth-aws",
    "http-auth-aws-eventstream",
    "http-auth-spi",
    "http-client-spi",
    "identity-spi",
    "json-utils",
    "metrics-spi",
    "netty-nio-client",
    "profiles",
    "protocol-core",
    "regions",
    "retries",
    "retries-spi",
    "s3",
    "s3-transfer-manager",
    "sdk-core",
    "sts",
    "third-party-jackson-core",
    "utils",
    "utils-lite",
)
S3A_JARS = (
    f"org.apache.hadoop_hadoop-aws-{HADOOP_AWS_VERSION}.jar",
    *(f"software.amazon.awssdk_{module}-{AWS_SDK_VERSION}.jar" for module in AWS_SDK_MODULES),
    "software.amazon.eventstream_eventstream-1.0.1.jar",
    # Hadoop 3.5's default S3A input stream (fs.s3a.input.stream.type=analytics); its dependencies are shaded.
    "software.amazon.s3.analyticsaccelerator_analyticsaccelerator-s3-1.3.1.jar",
    "org.reactivestreams_reactive-streams-1.0.4.jar",
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
    f"io.openlineage_openlineage-spark_2.13-{OPENLINEAGE_VERSION}.jar",
    *S3A_JARS,
)

# Spark's own log, on the driver and every executor: warnings and errors, never a row's values.
LOG4J2_CONFIG = Path(__file__).resolve().with_name("spark_log4j2.properties")
_lock = threading.Lock()
_warm_up: threading.Thread | None = None
logger = logging.getLogger(__name__)


def cached_jars(jars_dir: Path) -> list[Path] | None:
    """Every required jar from the cache, or None when any is missing (then Ivy resolves them)."""
    jars = [jars_dir / "jars" / name for name in REQUIRED_JARS]
    return jars if all(jar.is_file() for jar in jars) else None


def _builder(settings: Settings, app_name: str, driver_options: str = "") -> SparkSession.Builder:
    builder: SparkSession.Builder = SparkSession.builder
    log_file = (settings.spark_log4j2_config or LOG4J2_CONFIG).resolve()
    log_config = f"-Dlog4j2.configurationFile={log_file.as_uri()}"
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
        .config("spark.driver.extraJavaOptions", f"{log_config} {driver_options}".strip())
        .config("spark.executor.extraJavaOptions", log_config)
        # Connection strings carry credentials: redact them from plans, logs and the UI.
        .config("spark.sql.redaction.options.regex", "(?i)url|uri|password|secret|token")
        # S3A's fs.s3a.access.key / secret.key are redacted from configuration dumps (environment page, event
        # log) by Spark's default spark.redaction.regex, (?i)secret|password|token|access[.]?key.
    )


def s3a_options(settings: Settings) -> dict[str, str]:
    """Hadoop S3A options (without the `spark.hadoop.` prefix) from the S3 settings.

    No endpoint: AWS S3 with S3A's defaults (region resolution, TLS). No keys: the AWS SDK's default credential
    chain, as pyarrow uses (environment, profile, web identity, container and instance roles; S3A's own default
    list has no web identity). The values are credentials: never log them.
    """
    keys = s3_keys(settings)
    options: dict[str, str] = {}
    if settings.s3_endpoint:
        parts = urlsplit(settings.s3_endpoint)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("SICOOP_S3_ENDPOINT must be a URL such as http://127.0.0.1:9000")
        options |= {
            "fs.s3a.endpoint": settings.s3_endpoint,
            "fs.s3a.path.style.access": "true",
            "fs.s3a.connection.ssl.enabled": str(parts.scheme == "https").lower(),
            # An S3-compatible server has no region of its own; SigV4 still signs one.
            "fs.s3a.endpoint.region": settings.s3_region or "us-east-1",
        }
    elif settings.s3_region:
        options["fs.s3a.endpoint.region"] = settings.s3_region
    if keys:
        options |= {
            "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "fs.s3a.access.key": keys[0],
            "fs.s3a.secret.key": keys[1],
        }
    else:
        options["fs.s3a.aws.credentials.provider"] = (
            "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
        )
    return options


def get_spark(settings: Settings | None = None, app_name: str = "sicooperative") -> SparkSession:
    """The process's SparkSession, created on first use (10-20 s) and shared by every stage."""
    settings = settings or get_settings()
    with _lock:
        session = SparkSession.getActiveSession() or _start(settings, app_name)
        follow_parent(session.sparkContext, settings)  # the current flow run's lineage listener
        return session


def _start(settings: Settings, app_name: str) -> SparkSession:
    """A new SparkSession with the project's configuration (called under the lock)."""
    # Bind the driver to loopback unless told otherwise (the default guesses an external interface).
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers (if any) run the same interpreter and packages as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    jars_dir = settings.jars_dir.resolve()
    jars = cached_jars(jars_dir)
    # Without cached jars Ivy resolves them; the Mongo connector's POM names a version range, which Ivy
    # would otherwise re-check online.
    builder = _builder(settings, app_name, "" if jars is not None else "-Divy.cache.ttl.default=eternal")
    for key, value in s3a_options(settings).items():
        builder = builder.config(f"spark.hadoop.{key}", value)
    # Spark's default redaction plus the lineage listener's API key (given to the listener, not the session).
    builder = builder.config("spark.redaction.regex", REDACTION)
    if settings.spark_event_log_dir is not None:
        event_log = settings.spark_event_log_dir.resolve()
        event_log.mkdir(parents=True, exist_ok=True)
        builder = (
            builder.config("spark.eventLog.enabled", "true")
            .config("spark.eventLog.dir", event_log.as_uri())
            # One plain JSON-lines file per application, which any script can read.
            .config("spark.eventLog.compress", "false")
            .config("spark.eventLog.rolling.enabled", "false")
        )
    if jars is not None:
        builder = builder.config("spark.jars", ",".join(str(jar) for jar in jars))
    else:
        logger.info("resolving Spark jars from Maven Central into %s (first run only)", jars_dir)
        builder = (
            builder.config("spark.jars.packages", ",".join((DELTA_PACKAGE, *EXTRA_PACKAGES)))
            .config("spark.jars.excludes", ",".join(EXCLUDED_PACKAGES))
            .config("spark.jars.ivy", str(jars_dir))
        )
    return builder.getOrCreate()


def start_in_background(settings: Settings | None = None) -> threading.Thread:
    """Start the process's session on a daemon thread, with one tiny job that loads the classes every first job
    needs: the caller overlaps Spark's start (10-20 s) with work that does not need it (imports, the flow run's
    start, the load). Whoever needs the session first waits for it in `get_spark`. Once per session: a warm
    process's later runs find it started."""
    global _warm_up
    if _warm_up is not None and (_warm_up.is_alive() or SparkContext._active_spark_context is not None):
        return _warm_up

    def warm_up() -> None:
        try:
            get_spark(settings).range(1).count()
        except Exception as error:  # the stage that needs the session meets the same error, and reports it
            logger.warning("Spark's early start failed: %s", type(error).__name__)

    _warm_up = threading.Thread(target=warm_up, name="spark-warm-up", daemon=True)
    _warm_up.start()
    return _warm_up


def job_group(spark: SparkSession, stage: str) -> None:
    """Name the Spark jobs this thread starts from now on after the pipeline's stage (the event log and the
    Spark UI group them by it)."""
    spark.sparkContext.setJobGroup(stage, f"sicooperative {stage}")


if __name__ == "__main__":
    session = get_spark(app_name="resolve-jars")
    session.stop()
    resolved = cached_jars(get_settings().jars_dir.resolve())
    if resolved is None:
        raise SystemExit("jar resolution did not produce every required jar")
    print("\n".join(str(jar) for jar in resolved))

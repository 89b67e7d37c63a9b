"""Shared fixtures. Tiers are marked by folder: tests/unit, tests/integration, tests/e2e."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import flows  # noqa: F401  (sets Prefect's offline defaults before any test imports Prefect)
from tasks import storage
from tasks.settings import Settings, get_settings
from tasks.storage import Location

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local SparkSession for the whole test session (start-up costs 10-20 s)."""
    from tasks.spark_session import get_spark

    session = get_spark(app_name="sicooperative-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Point the pipeline at the test database of the local services (started by `make services`) and
    start from empty sources. Fails, never skips, when the services are not running."""
    import psycopg2
    from dotenv import dotenv_values

    from tasks.clients.mongo import mongo_client

    local = {k: v for k, v in dotenv_values(".local/services.env").items() if v}
    dsn = os.environ.get("SICOOP_TEST_POSTGRES_DSN") or local.get("SICOOP_TEST_POSTGRES_DSN")
    uri = os.environ.get("SICOOP_TEST_MONGO_URI") or local.get("SICOOP_MONGO_URI")
    assert dsn and uri, (
        "no test services configured: run `make services` (or set SICOOP_TEST_POSTGRES_DSN/_MONGO_URI)"
    )
    database = "sicooperative_test"
    previous = {
        key: os.environ.get(key)
        for key in ("SICOOP_POSTGRES_DSN", "SICOOP_MONGO_URI", "SICOOP_MONGO_DATABASE")
    }
    os.environ.update(
        {"SICOOP_POSTGRES_DSN": dsn, "SICOOP_MONGO_URI": uri, "SICOOP_MONGO_DATABASE": database}
    )
    get_settings.cache_clear()

    connection = psycopg2.connect(dsn)
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS cartao, conta, associado CASCADE; DROP TYPE IF EXISTS tipo_conta"
        )
    connection.close()
    with mongo_client(uri) as client:
        client.drop_database(database)

    yield {"dsn": dsn, "uri": uri, "database": database}

    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def s3_settings() -> Settings:
    """The S3 settings the pipeline itself reads (environment, then .local/services.env)."""
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.s3_endpoint or os.environ.get("SICOOP_TEST_S3_BUCKET"), (
        "no S3 configured: run `make services` (or set SICOOP_S3_ENDPOINT/_ACCESS_KEY_ID/_SECRET_ACCESS_KEY "
        "and SICOOP_TEST_S3_BUCKET)"
    )
    return settings


@pytest.fixture(scope="session")
def s3_bucket(s3_settings: Settings) -> str:
    from dotenv import dotenv_values

    local = {k: v for k, v in dotenv_values(".local/services.env").items() if v}
    bucket = os.environ.get("SICOOP_TEST_S3_BUCKET") or local.get("SICOOP_TEST_S3_BUCKET")
    assert bucket, "no SICOOP_TEST_S3_BUCKET: run `make services` or set it"
    return bucket


@pytest.fixture
def s3_prefix(s3_bucket: str, request: pytest.FixtureRequest) -> Iterator[Location]:
    """A fresh, unique s3://<test bucket>/tests/<id>-<test name> prefix, deleted after the test."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", request.node.name)[:60]
    location = storage.resolve(f"s3://{s3_bucket}/tests/{uuid.uuid4().hex[:12]}-{name}")
    assert not storage.resolve(location).exists()
    yield location
    storage.resolve(location).delete_folder()

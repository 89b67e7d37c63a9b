"""Dataset namespaces carry host and port only, never the credentials of the connection string."""

from __future__ import annotations

from pathlib import Path

from tasks.lineage.naming import location, mongo_collection, postgres_table
from tasks.storage import resolve


def test_postgres_tables_are_named_without_credentials() -> None:
    name = postgres_table("postgresql://sicoop:s3cr%40t@DB.example:54329/sicoop?sslmode=require", "cartao")
    assert (name.namespace, name.name) == ("postgres://db.example:54329", "sicoop.public.cartao")
    assert postgres_table("postgresql://u:pw@db/x", "conta").namespace == "postgres://db:5432"


def test_mongodb_collections_are_named_by_their_first_host() -> None:
    name = mongo_collection("mongodb://app:hunter2@h1:27018,h2:27019/?replicaSet=rs", "sicoop", "movimento")
    assert (name.namespace, name.name) == ("mongodb://h1:27018", "sicoop.movimento")
    assert mongo_collection("mongodb://127.0.0.1/", "d", "c").namespace == "mongodb://127.0.0.1:27017"


def test_local_folders_are_file_datasets(tmp_path: Path) -> None:
    where = resolve(str(tmp_path))
    assert (location(where).namespace, location(where).name) == ("file", where.path)

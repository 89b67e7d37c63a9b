"""The one way the pipeline opens a MongoDB connection (load, extract, benchmarks, tests alike)."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient


def mongo_client(uri: str) -> MongoClient[dict[str, Any]]:
    """Naive datetimes (the contract's timestamps are naive UTC); a server that is down fails within 10 s, and
    the task's retries take it from there."""
    return MongoClient(uri, tz_aware=False, appname="sicooperative", serverSelectionTimeoutMS=10_000)

"""The MongoDB collection spec of the contract's MongoDB tables: indexes and a `$jsonSchema` validator.

`_id` is the table's key (a movimento's id), so its unique index is MongoDB's own. The load creates the collection
with the validator and the indexes (`tasks/load/mongo.py`); the local stand-in accepts the validator but does not
enforce it (the verifier has already proved every value's type).
"""

from __future__ import annotations

from typing import Any

from tasks.domain.contract import Kind, Table

# pymongo writes a Python int as int32 when it fits, else int64: either is a valid key or integer.
BSON_TYPES: dict[Kind, str | list[str]] = {
    Kind.ID: ["int", "long"],
    Kind.INT: ["int", "long"],
    Kind.TEXT: "string",
    Kind.DECIMAL: "decimal",
    Kind.TIMESTAMP: "date",
    Kind.BOOLEAN: "bool",
}


def indexes(table: Table) -> list[dict[str, Any]]:
    """Declared indexes, then one per foreign key; each named after its first field."""
    wanted = list(table.indexes) + [(column,) for column, _ in table.references]
    return [
        {"name": f"{table.name}_{columns[0]}_ix", "keys": [[column, 1] for column in columns]}
        for columns in dict.fromkeys(wanted)
    ]


def validator(table: Table) -> dict[str, Any]:
    """Every stored field required with its BSON type, its length and domain where declared."""
    properties: dict[str, Any] = {"_id": {"bsonType": BSON_TYPES[table.column(table.key).kind]}}
    for column in table.stored_columns:
        rule: dict[str, Any] = {"bsonType": BSON_TYPES[column.kind], "description": column.comment}
        if column.max_length:
            rule["maxLength"] = column.max_length
        if column.values:
            rule["enum"] = list(column.values)
        properties[column.name] = rule
    return {
        "$jsonSchema": {
            "bsonType": "object",
            "required": ["_id", *(column.name for column in table.stored_columns if not column.nullable)],
            "properties": properties,
        }
    }


def collection_spec(table: Table) -> dict[str, Any]:
    return {
        "collection": table.name,
        "generated": "from the table contract (tasks/domain/tables.py) by `python -m tasks.domain.generate`",
        "description": f"{table.comment} _id = {table.key}.",
        "indexes": indexes(table),
        "validator": validator(table),
    }

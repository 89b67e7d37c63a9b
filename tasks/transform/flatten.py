"""Join movimento -> cartao -> conta -> associado through their foreign keys into `movimento_flat`.

Left joins from movimento keep every transaction: a movimento whose cartao, conta or associado is missing, or
whose cartao belongs to someone other than the conta's owner, is kept with its `_integridade` reason so the gate
counts and blocks it instead of the join silently dropping it.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tasks.domain.contract import Table
from tasks.domain.movimento_flat import HASHED_COLUMNS, ROW_HASH
from tasks.domain.tables import (
    CARD_VALID,
    DOCUMENT_VALID,
    INTEGRITY,
    INTEGRITY_OK,
    JOIN_VERDICTS,
    MOVIMENTO_FLAT,
)

INTERNAL_COLUMNS = JOIN_VERDICTS  # the join's verdicts, checked by the gate
# Columns the masking derives from the raw values (masking hides what they are judged on) -> their output name.
DERIVED = {
    "associado": {"tipo_pessoa": "tipo_pessoa", "documento_valido": DOCUMENT_VALID},
    "cartao": {"cartao_valido": CARD_VALID},
}
_FIELD_SEPARATOR = "\u001f"  # ASCII unit separator: cannot occur in the data
_NULL_MARKER = "\u0000"  # distinguishes null from the empty string inside the hash


def row_hash(columns: tuple[str, ...]) -> Column:
    """sha256 over the fields joined by a separator, so ("ab", "c") and ("a", "bc") never collide."""
    parts = [F.coalesce(F.col(name).cast("string"), F.lit(_NULL_MARKER)) for name in columns]
    return F.sha2(F.concat_ws(_FIELD_SEPARATOR, *parts), 256)


def output_mapping(table: str, output: Table = MOVIMENTO_FLAT) -> dict[str, str]:
    """source column -> output column, for one source table, from the output's contract."""
    return {
        column.source.split(".")[1]: column.name
        for column in output.columns
        if column.source is not None and column.source.split(".")[0] == table
    }


def _select(frame: DataFrame, table: str, joins: dict[str, str]) -> DataFrame:
    """The table's output columns (renamed as the contract says), its derived ones, and its join columns
    (prefixed with the table's name, dropped after the join)."""
    renamed = {**output_mapping(table), **DERIVED.get(table, {})}
    return frame.select(
        *[F.col(source).alias(target) for source, target in renamed.items()],
        *[F.col(source).alias(alias) for source, alias in joins.items()],
    )


def flatten(movimento: DataFrame, cartao: DataFrame, conta: DataFrame, associado: DataFrame) -> DataFrame:
    """Masked source tables in, `movimento_flat` out (plus the internal columns the gate checks)."""
    m = _select(movimento, "movimento", {"id_cartao": "id_cartao"})
    c = _select(
        cartao,
        "cartao",
        {"id": "cartao_id", "id_conta": "cartao_id_conta", "id_associado": "cartao_id_associado"},
    )
    ct = _select(conta, "conta", {"id": "conta_id", "id_associado": "conta_id_associado"})
    a = _select(associado, "associado", {"id": "associado_id"})
    joined = (
        m.join(c, m.id_cartao == c.cartao_id, "left")
        .join(ct, F.col("cartao_id_conta") == ct.conta_id, "left")
        .join(a, F.col("conta_id_associado") == a.associado_id, "left")
    )
    integrity = (
        F.when(F.col("cartao_id").isNull(), "CARTAO_AUSENTE")
        .when(F.col("conta_id").isNull(), "CONTA_AUSENTE")
        .when(F.col("associado_id").isNull(), "ASSOCIADO_AUSENTE")
        .when(~F.col("cartao_id_associado").eqNullSafe(F.col("conta_id_associado")), "TITULAR_DIVERGENTE")
        .otherwise(INTEGRITY_OK)
    )
    return joined.select(
        *HASHED_COLUMNS,
        row_hash(HASHED_COLUMNS).alias(ROW_HASH),
        integrity.alias(INTEGRITY),
        DOCUMENT_VALID,
        CARD_VALID,
    )

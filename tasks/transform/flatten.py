"""Join movimento -> cartao -> conta -> associado through their foreign keys into `movimento_flat`.

Left joins from movimento keep every transaction: a movimento whose cartao, conta or associado is missing, or
whose cartao belongs to someone other than the conta's owner, is kept with its `_integridade` reason so the gate
counts and blocks it instead of the join silently dropping it.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tasks.domain.movimento_flat import HASHED_COLUMNS, ROW_HASH

# Internal columns: checked by the gate, never exported.
INTEGRITY = "_integridade"  # OK, or the missing link
INTEGRITY_OK = "OK"
DOCUMENT_VALID = "_documento_valido"  # CPF/CNPJ check digits verify (judged before masking)
CARD_VALID = "_cartao_valido"  # card number passes Luhn (judged before masking)
INTERNAL_COLUMNS = (INTEGRITY, DOCUMENT_VALID, CARD_VALID)

_FIELD_SEPARATOR = "\u001f"  # ASCII unit separator: cannot occur in the data
_NULL_MARKER = "\u0000"  # distinguishes null from the empty string inside the hash


def row_hash(columns: tuple[str, ...]) -> Column:
    """sha256 over the fields joined by a separator, so ("ab", "c") and ("a", "bc") never collide."""
    parts = [F.coalesce(F.col(name).cast("string"), F.lit(_NULL_MARKER)) for name in columns]
    return F.sha2(F.concat_ws(_FIELD_SEPARATOR, *parts), 256)


def flatten(movimento: DataFrame, cartao: DataFrame, conta: DataFrame, associado: DataFrame) -> DataFrame:
    """Masked source tables in, `movimento_flat` out (plus the internal columns the gate checks)."""
    m = movimento.select(
        F.col("id").alias("id_movimento"),
        F.col("vlr_transacao").alias("vlr_transacao_movimento"),
        F.col("des_transacao").alias("des_transacao_movimento"),
        "tipo_transacao",
        "data_movimento",
        "id_cartao",
        "batch_id",
    )
    c = cartao.select(
        F.col("id").alias("cartao_id"),
        F.col("num_cartao").alias("numero_cartao"),
        F.col("nom_impresso").alias("nome_impresso_cartao"),
        F.col("data_criacao").alias("data_criacao_cartao"),
        F.col("id_conta").alias("cartao_id_conta"),
        F.col("id_associado").alias("cartao_id_associado"),
        F.col("cartao_valido").alias(CARD_VALID),
    )
    ct = conta.select(
        F.col("id").alias("conta_id"),
        F.col("tipo").alias("tipo_conta"),
        F.col("data_criacao").alias("data_criacao_conta"),
        F.col("id_associado").alias("conta_id_associado"),
    )
    a = associado.select(
        F.col("id").alias("associado_id"),
        F.col("nome").alias("nome_associado"),
        F.col("sobrenome").alias("sobrenome_associado"),
        F.col("idade").alias("idade_associado"),
        F.col("email").alias("email_associado"),
        F.col("cpf_cnpj").alias("documento_associado"),
        "tipo_pessoa",
        F.col("documento_valido").alias(DOCUMENT_VALID),
    )
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

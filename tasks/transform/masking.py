"""Masking of personal data as native Spark column expressions (no Python UDFs: they run in the JVM, vectorised).

The policy is declared once, table -> column -> rule, and applied to the source tables right after extraction,
so raw values never reach the join or anything downstream.

Rules (from the earlier implementation, with gaps closed):
- document (CPF/CNPJ): digits only; keep the first 3 and last 2, every other digit becomes X. Shorter than 6
  digits: every digit becomes X (keeping 5 would reveal all of it).
- card number: digits only; keep the first 6 and last 4 (PCI DSS display rule), the rest X. Shorter than 13
  digits is not a card number: every digit becomes X.
- e-mail: split at the last '@'; keep the user part's first 2 characters (5 or more), its first one (3 or
  4) or none (shorter), then a fixed `***@***`, then the domain's top level (`.com`, `.br`) when it has one.
  The mask's length never follows the address's. No '@': `***`. (docs/privacy.md: how many addresses
  each masked value stands for.)
- tipo_pessoa: PJ when the document has more than 11 digits, else PF.
Null stays null.

Masking hides the digits that prove a value real, so validity is judged first, on the raw value: each source
gets a boolean per checked column (`documento_valido`: CPF/CNPJ check digits; `cartao_valido`: Luhn), which the
gate's quarantine rules read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tasks.domain.contract import PersonalData
from tasks.domain.tables import TABLES
from tasks.privacy.detector import card_number_valid, document_check_digits_valid

MaskRule = PersonalData  # each kind of personal data has its masking rule

MASKING_POLICY: Mapping[str, Mapping[str, MaskRule]] = {
    table.name: table.personal_columns for table in TABLES if table.personal_columns
}
# Judged on the raw value before masking: table -> (source column, validity column).
VALIDITY_CHECKS: Mapping[str, tuple[str, str, Callable[[Column], Column]]] = {
    "associado": ("cpf_cnpj", "documento_valido", document_check_digits_valid),
    "cartao": ("num_cartao", "cartao_valido", card_number_valid),
}


EMAIL_FILLER = "***@***"  # the same whatever the address's length: the mask never tells it


def _lit(value: int | str) -> Column:
    return F.lit(value)


def _digits(value: Column) -> Column:
    return F.regexp_replace(value, r"[^0-9]", "")


def _keep_ends(text: Column, keep_start: Column, keep_end: Column, filler: str) -> Column:
    """text with every character except the first keep_start and last keep_end replaced by filler."""
    size = F.length(text)
    return F.concat(
        F.substr(text, _lit(1), keep_start),
        F.repeat(_lit(filler), size - keep_start - keep_end),
        F.substr(text, size - keep_end + 1, keep_end),
    )


def mask_document(value: Column) -> Column:
    digits = _digits(value)
    masked = F.when(F.length(digits) >= 6, _keep_ends(digits, _lit(3), _lit(2), "X")).otherwise(
        F.repeat(_lit("X"), F.length(digits))
    )
    return F.when(value.isNull(), F.lit(None).cast("string")).otherwise(masked)


def mask_card(value: Column) -> Column:
    digits = _digits(value)
    masked = F.when(F.length(digits) >= 13, _keep_ends(digits, _lit(6), _lit(4), "X")).otherwise(
        F.repeat(_lit("X"), F.length(digits))
    )
    return F.when(value.isNull(), F.lit(None).cast("string")).otherwise(masked)


def mask_email(value: Column) -> Column:
    text = F.trim(value)
    user = F.regexp_extract(text, r"^(.*)@([^@]*)$", 1)
    domain = F.regexp_extract(text, r"^(.*)@([^@]*)$", 2)
    kept = F.when(F.length(user) >= 5, _lit(2)).when(F.length(user) >= 3, _lit(1)).otherwise(_lit(0))
    top_level = F.regexp_extract(domain, r"(\.[^.]+)$", 1)  # `.br`, `.com`; empty without a dot
    masked = F.concat(F.substr(user, _lit(1), kept), _lit(EMAIL_FILLER), top_level)
    return (
        F.when(value.isNull(), F.lit(None).cast("string"))
        .when(F.length(text) == 0, _lit(""))
        .when(F.instr(text, "@") == 0, _lit("***"))
        .otherwise(masked)
    )


def tipo_pessoa(document: Column) -> Column:
    digits = _digits(document)
    return (
        F.when(document.isNull(), F.lit(None).cast("string"))
        .when(F.length(digits) > 11, "PJ")
        .otherwise("PF")
    )


RULES: Mapping[MaskRule, Callable[[Column], Column]] = {
    MaskRule.DOCUMENT: mask_document,
    MaskRule.EMAIL: mask_email,
    MaskRule.CARD: mask_card,
}


def mask_table(
    table_name: str, frame: DataFrame, policy: Mapping[str, Mapping[str, MaskRule]] = MASKING_POLICY
) -> DataFrame:
    """Replace every column the policy names for this table by its masked value (same column name)."""
    rules = policy.get(table_name, {})
    missing = [column for column in rules if column not in frame.columns]
    if missing:
        raise ValueError(f"masking policy names columns absent from {table_name}: {missing}")
    if table_name in VALIDITY_CHECKS:  # judged on the raw value, before masking hides it
        column, validity, check = VALIDITY_CHECKS[table_name]
        frame = frame.withColumn(validity, check(F.col(column)))
    return frame.withColumns({column: RULES[rule](F.col(column)) for column, rule in rules.items()})


def mask_sources(
    sources: Mapping[str, DataFrame], policy: Mapping[str, Mapping[str, MaskRule]] = MASKING_POLICY
) -> dict[str, DataFrame]:
    """Mask every source table. tipo_pessoa and the validity columns are derived from the raw values first
    (masking hides their digits)."""
    prepared = dict(sources)
    prepared["associado"] = prepared["associado"].withColumn("tipo_pessoa", tipo_pessoa(F.col("cpf_cnpj")))
    return {name: mask_table(name, frame, policy) for name, frame in prepared.items()}

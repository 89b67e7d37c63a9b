"""The structural expectations of a table, generated from its contract and merged into its suite.

For `movimento_flat` (validated in Spark by the gate): the exact columns in order (with the gate's internal
columns), each column's type, the key's uniqueness, not-null, domains, formats and the masked format of each
personal column, each with its column's policy. For a source table (validated at load, after the verifier has
already proved its header, every value's type, non-empty values and unique ids, so those rules are not repeated
here: they could never fail): unique columns, formats and domains, which reject the batch.
"""

from __future__ import annotations

from typing import Any

from tasks.domain.contract import MASKED_FORMATS, Column, Kind, PersonalData, Policy, Table
from tasks.domain.render.spark import spark_type_name

GENERATED = "contrato"  # meta.origem of a generated expectation (hand-written ones have none)
_KIND_PT = {
    Kind.ID: "inteiro longo",
    Kind.INT: "inteiro",
    Kind.TEXT: "texto",
    Kind.DECIMAL: "decimal(10,2)",
    Kind.TIMESTAMP: "data e hora",
    Kind.BOOLEAN: "booleano",
}
_MASKED_PT = {
    PersonalData.DOCUMENT: "CPF/CNPJ mascarado: 3 primeiros e 2 últimos dígitos, demais X.",
    PersonalData.CARD: "Cartão mascarado: 6 primeiros e 4 últimos dígitos, demais X.",
    PersonalData.EMAIL: "E-mail mascarado: até 4 caracteres do usuário, @, até 4 finais do domínio, demais *.",
}


def _expectation(kind: str, kwargs: dict[str, Any], rule: str, policy: Policy) -> dict[str, Any]:
    return {
        "type": f"expect_{kind}",
        "kwargs": kwargs,
        "meta": {"regra": rule, "politica": policy.value, "origem": GENERATED},
    }


def _value_rules(column: Column, *, masked: bool) -> list[dict[str, Any]]:
    name, policy = column.name, column.policy
    rules = []
    if column.unique:
        rules.append(
            _expectation("column_values_to_be_unique", {"column": name}, f"{name} é único.", Policy.FAIL)
        )
    if column.values:
        rules.append(
            _expectation(
                "column_values_to_be_in_set",
                {"column": name, "value_set": list(column.values)},
                f"{name} pertence ao domínio: {', '.join(column.values)}.",
                policy,
            )
        )
    if column.pattern:
        rules.append(
            _expectation(
                "column_values_to_match_regex",
                {"column": name, "regex": column.pattern},
                f"{name} tem o formato {column.pattern}.",
                policy,
            )
        )
    if masked and column.personal is not None:
        rules.append(
            _expectation(
                "column_values_to_match_regex",
                {"column": name, "regex": MASKED_FORMATS[column.personal]},
                _MASKED_PT[column.personal],
                policy,
            )
        )
    return rules


def output_expectations(table: Table, internal_columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """The output's structural rules; `internal_columns` are the gate's (validated, never exported)."""
    rules = [
        _expectation(
            "table_columns_to_match_ordered_list",
            {"column_list": [*table.column_names, *internal_columns]},
            "A saída tem exatamente as colunas publicadas, nesta ordem, mais as colunas internas do portão "
            "(prefixo _), que nunca são exportadas.",
            Policy.FAIL,
        )
    ]
    rules += [
        _expectation(
            "column_values_to_be_of_type",
            {"column": column.name, "type_": spark_type_name(column.kind)},
            f"Esquema: {column.name} é do tipo {_KIND_PT[column.kind]}.",
            Policy.FAIL,
        )
        for column in table.columns
    ]
    for column in table.columns:
        if not column.nullable:
            rules.append(
                _expectation(
                    "column_values_to_not_be_null",
                    {"column": column.name},
                    f"{column.name} nunca é nulo.",
                    column.policy,
                )
            )
        if (column.name,) == table.primary_key:
            rules.append(
                _expectation(
                    "column_values_to_be_unique",
                    {"column": column.name},
                    f"{column.name} é a chave da tabela: único.",
                    Policy.FAIL,
                )
            )
        rules += _value_rules(column, masked=True)
    return rules


def source_expectations(table: Table) -> list[dict[str, Any]]:
    """A landed source table's structural rules beyond what the verifier proves."""
    return [rule for column in table.columns for rule in _value_rules(column, masked=False)]

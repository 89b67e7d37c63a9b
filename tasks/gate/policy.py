"""Policies of the gate's expectations, as in Databricks' expectations.

- fail: a broken expectation blocks the export of the whole batch;
- quarantine: rows that break it go to the quarantine table (with the rules they broke), the rest is exported;
- warn: reported only.

Quarantine decisions are made per row, in Spark, in one pass over the data (GX's unexpected-row ids are
unreliable on Spark): each quarantine expectation is translated into the Spark predicate of a violating row.
GX then validates what is left to export, so its report proves the exported rows good.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

from tasks.domain.contract import Policy
from tasks.quality.outcomes import policy_of, rule_name


def _resolve(value: Any, parameters: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping) and "$PARAMETER" in value:
        return parameters[value["$PARAMETER"]]
    return value


def _between(kwargs: Mapping[str, Any], parameters: Mapping[str, Any]) -> Column:
    column = F.col(kwargs["column"])
    low, high = _resolve(kwargs.get("min_value"), parameters), _resolve(kwargs.get("max_value"), parameters)
    outside = F.lit(False)
    if low is not None:
        outside = outside | (column < F.lit(low))
    if high is not None:
        outside = outside | (column > F.lit(high))
    return outside


def _pair_a_greater_than_b(kwargs: Mapping[str, Any], parameters: Mapping[str, Any]) -> Column:
    a, b = F.col(kwargs["column_A"]), F.col(kwargs["column_B"])
    return ~(a >= b) if kwargs.get("or_equal") else ~(a > b)  # null (either missing) is ignored by GX too


# Predicates that are true for a violating row. GX's column-map expectations ignore nulls except
# not_be_null; so do these, once wrapped in coalesce(..., false).
_VIOLATIONS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Column]] = {
    "expect_column_values_to_not_be_null": lambda kw, _: F.col(kw["column"]).isNull(),
    "expect_column_values_to_be_between": _between,
    "expect_column_values_to_be_in_set": lambda kw, p: (
        ~F.col(kw["column"]).isin(list(_resolve(kw["value_set"], p)))
    ),
    "expect_column_values_to_match_regex": lambda kw, _: ~F.col(kw["column"]).rlike(kw["regex"]),
    "expect_column_values_to_not_match_regex": lambda kw, _: F.col(kw["column"]).rlike(kw["regex"]),
    "expect_column_pair_values_a_to_be_greater_than_b": _pair_a_greater_than_b,
}


def violation(expectation_type: str, kwargs: Mapping[str, Any], parameters: Mapping[str, Any]) -> Column:
    if expectation_type not in _VIOLATIONS:
        raise ValueError(f"{expectation_type} cannot have the quarantine policy: it is not a per-row rule")
    return F.coalesce(_VIOLATIONS[expectation_type](kwargs, parameters), F.lit(False))


def violated_rules(expectations: list[dict[str, Any]], parameters: Mapping[str, Any]) -> Column:
    """array<string> of the quarantine rules a row breaks (empty when it breaks none).

    The predicates are first OR-ed (compiled by Spark's code generation); only a row breaking one of them builds
    the array of names, whose null-filtering higher-order function Spark interprets row by row."""
    rules = [
        (violation(e["type"], e["kwargs"], parameters), rule_name(e["type"], e["kwargs"]))
        for e in expectations
        if policy_of(e.get("meta")) is Policy.QUARANTINE
    ]
    none = F.array().cast("array<string>")
    if not rules:
        return none
    breaks_any = reduce(lambda left, right: left | right, [predicate for predicate, _ in rules])
    names = F.array(*[F.when(predicate, F.lit(name)) for predicate, name in rules])
    return F.when(breaks_any, F.filter(names, lambda rule: rule.isNotNull())).otherwise(none)

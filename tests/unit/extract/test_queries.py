"""What the extract asks each source for: only the batch's rows, in the contract's types."""

from __future__ import annotations

import pytest

from tasks.domain.render.spark import extract_schema
from tasks.domain.tables import EXTRACT_PLAN, MOVIMENTO
from tasks.extract.mongo import MOVIMENTO_SCHEMA, part_pipeline
from tasks.extract.postgres import referenced_rows_query


def test_each_master_table_is_read_through_the_batchs_cartoes() -> None:
    cartao = referenced_rows_query("cartao", "b-1")
    conta = referenced_rows_query("conta", "b-1")
    associado = referenced_rows_query("associado", "b-1")
    assert "FROM public.extract_cartao WHERE batch_id = 'b-1'" in cartao
    assert "SELECT id_conta FROM public.cartao WHERE id IN" in conta
    assert "SELECT id_associado FROM public.conta WHERE id IN" in associado
    assert " FROM public.associado WHERE id IN" in associado  # schema-qualified: lineage names match
    assert "tipo::text AS tipo" in conta and "idade::int AS idade" in associado  # the contract's Spark types


def test_the_tables_are_read_in_the_schema_the_load_wrote_them_to() -> None:
    assert " FROM scrub_bad.associado WHERE id IN" in referenced_rows_query("associado", "b-1", "scrub_bad")
    quoted = referenced_rows_query("cartao", "b-1", 'Dados "Cartao"')  # a name PostgreSQL needs quoted
    assert 'FROM "Dados ""Cartao""".extract_cartao WHERE' in quoted


@pytest.mark.parametrize("hostile", ["b'; DROP TABLE conta; --", "b 1", "", "b\n1"])
def test_a_batch_id_that_is_not_a_plain_name_never_reaches_sql(hostile: str) -> None:
    with pytest.raises(ValueError):
        referenced_rows_query("cartao", hostile)


def test_a_plan_part_looks_its_movimentos_up_by_id() -> None:
    pipeline = part_pipeline("b-1#000003")
    assert pipeline[0] == {"$match": {"part": "b-1#000003"}}
    lookup = next(stage["$lookup"] for stage in pipeline if "$lookup" in stage)
    assert (lookup["from"], lookup["localField"], lookup["foreignField"]) == ("movimento", "ids", "_id")
    assert EXTRACT_PLAN == "movimento_extract"
    assert extract_schema(MOVIMENTO) == MOVIMENTO_SCHEMA
    assert MOVIMENTO_SCHEMA.fieldNames()[-1] == "batch_id"

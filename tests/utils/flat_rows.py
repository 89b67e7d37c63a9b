"""A few movimento_flat rows in the table's real schema (masked-looking personal values), every figure known: the
dashboard's tests check its numbers against them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa

from tasks.domain.render.arrow import arrow_schema
from tasks.domain.tables import MOVIMENTO_FLAT

DAY1, DAY2 = datetime(2026, 6, 1, 10, tzinfo=UTC), datetime(2026, 6, 2, 23, 59, tzinfo=UTC)
# (id, batch, day, amount, tipo_transacao, tipo_conta, tipo_pessoa, idade, descricao)
ROWS = [
    (1, "b1", DAY1, "10.50", "DEBITO", "CORRENTE", "PF", 17, "Mercado"),
    (2, "b1", DAY1, "20.00", "DEBITO", "POUPANCA", "PJ", 18, "Mercado"),
    (3, "b1", DAY2, "5.25", "CREDITO", "CORRENTE", "PF", 60, "Cashback"),
    (4, "b2", DAY2, "100.00", "DEBITO", "CORRENTE", "PF", None, "Farmácia"),
    (5, "b2", DAY2, "0.01", "DEBITO", "SALARIO", "PF", 44, "Mercado"),
]


def movimento_table(rows: Sequence[tuple[object, ...]] = ROWS) -> pa.Table:
    """The rows in movimento_flat's real schema; personal columns hold masked-looking values."""
    schema = arrow_schema(MOVIMENTO_FLAT)
    given = {
        "id_movimento": [row[0] for row in rows],
        "batch_id": [row[1] for row in rows],
        "data_movimento": [row[2] for row in rows],
        "vlr_transacao_movimento": [Decimal(str(row[3])) for row in rows],
        "tipo_transacao": [row[4] for row in rows],
        "tipo_conta": [row[5] for row in rows],
        "tipo_pessoa": [row[6] for row in rows],
        "idade_associado": [row[7] for row in rows],
        "des_transacao_movimento": [row[8] for row in rows],
        "numero_cartao": ["411111XXXXXX1111"] * len(rows),
        "documento_associado": ["529XXXXXX25"] * len(rows),
        "email_associado": ["an***@***.com"] * len(rows),
    }
    columns = [pa.array(given.get(field.name, [None] * len(rows)), type=field.type) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)

"""The one-process floor of the transform: a landed batch's CSVs -> join by foreign keys -> masks -> checks ->
Parquet + CSV, in DuckDB (no databases, no Spark, no orchestration).

It does what the pipeline's span from extract to export does to the data (same joins, same masking rules, the
row count and amount reconciliation, no raw personal data in the masked columns), so the pipeline's span can
be compared with what one process on this machine needs at the least.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

MASKED = """
WITH m AS (SELECT * FROM read_csv('{batch}/movimento.csv', delim=';', header=true,
        types={{'vlr_transacao': 'DECIMAL(10,2)', 'data_movimento': 'TIMESTAMP', 'id': 'BIGINT', 'id_cartao': 'BIGINT'}})),
     c AS (SELECT * FROM read_csv('{batch}/cartao.csv', delim=';', header=true,
        types={{'num_cartao': 'VARCHAR', 'data_criacao': 'TIMESTAMP'}})),
     ct AS (SELECT * FROM read_csv('{batch}/conta.csv', delim=';', header=true, types={{'data_criacao': 'TIMESTAMP'}})),
     a AS (SELECT * FROM read_csv('{batch}/associado.csv', delim=';', header=true, types={{'cpf_cnpj': 'VARCHAR'}}))
SELECT
    a.nome AS nome_associado, a.sobrenome AS sobrenome_associado, a.idade AS idade_associado,
    m.vlr_transacao AS vlr_transacao_movimento, m.des_transacao AS des_transacao_movimento, m.data_movimento,
    substr(c.num_cartao, 1, 6) || repeat('X', length(c.num_cartao) - 10) || right(c.num_cartao, 4) AS numero_cartao,
    c.nom_impresso AS nome_impresso_cartao, c.data_criacao AS data_criacao_cartao, ct.tipo AS tipo_conta,
    ct.data_criacao AS data_criacao_conta, m.id AS id_movimento, m.tipo_transacao,
    left(split_part(a.email, '@', 1), 4) || repeat('*', greatest(length(split_part(a.email, '@', 1)) - 4, 0))
        || '@' || repeat('*', greatest(length(split_part(a.email, '@', 2)) - 4, 0))
        || right(split_part(a.email, '@', 2), 4) AS email_associado,
    left(a.cpf_cnpj, 3) || repeat('X', length(a.cpf_cnpj) - 5) || right(a.cpf_cnpj, 2) AS documento_associado,
    CASE WHEN length(a.cpf_cnpj) > 11 THEN 'PJ' ELSE 'PF' END AS tipo_pessoa,
    '{batch_id}' AS batch_id
FROM m
LEFT JOIN c ON m.id_cartao = c.id
LEFT JOIN ct ON c.id_conta = ct.id
LEFT JOIN a ON ct.id_associado = a.id
"""


@dataclass(frozen=True)
class FloorResult:
    rows: int
    seconds: float


def run_floor(batch: Path, output: Path) -> FloorResult:
    """The transform of one batch in DuckDB; checks raise if the data is not what the pipeline would export."""
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    connection = duckdb.connect()
    connection.execute("CREATE TABLE flat AS " + MASKED.format(batch=batch, batch_id=batch.name))
    measured = connection.execute(
        """SELECT count(*), sum(vlr_transacao_movimento), count(*) FILTER (WHERE nome_associado IS NULL),
                  count(*) FILTER (WHERE regexp_matches(documento_associado, '^[0-9]{11,14}$')
                                   OR regexp_matches(numero_cartao, '^[0-9]{13,19}$'))
           FROM flat"""
    ).fetchone()
    assert measured is not None
    rows, total, orphans, raw = measured
    expected = connection.execute(
        f"SELECT count(*), sum(vlr_transacao) FROM read_csv('{batch}/movimento.csv', delim=';', header=true, "
        "types={'vlr_transacao': 'DECIMAL(10,2)'})"
    ).fetchone()
    assert expected is not None
    expected_rows, expected_total = expected
    if (rows, total, orphans, raw) != (expected_rows, expected_total, 0, 0):
        raise AssertionError("the floor's checks failed: it must export what the pipeline would")
    connection.execute(f"COPY flat TO '{output}/movimento_flat.parquet' (FORMAT parquet)")
    connection.execute(
        f"COPY (SELECT * FROM flat ORDER BY id_movimento) TO '{output}/movimento_flat.csv' (HEADER)"
    )
    connection.close()
    return FloorResult(rows=int(rows), seconds=time.perf_counter() - started)

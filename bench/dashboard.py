"""The dashboard's first render on large exports (never asserted in tests: figures vary with the machine).

    uv run python -m bench.dashboard                       # 1,000,000 and 10,000,000 rows
    uv run python -m bench.dashboard --rows 200000         # other sizes

For each size, a synthetic `movimento_flat` Delta table in the real schema (the contract's, masked values, one
commit per batch of 1,000,000 rows, a year of days), built with DuckDB and written with delta-rs once under
data/bench/dashboard/ (reruns reuse it). Then:

- query: the business page's queries alone, in this process: the cube's scan of the table (cold) and the page's
  queries over it (what every later render costs);
- first render: `python -m dashboard` started on the table, headless Chromium navigates to the business page,
  timed until the page's numbers (the "Movements" metric) are visible, then until its script run has ended
  (every chart sent); the server's first render includes the cube's scan. A second navigation shows a render
  with the cube cached. The figure shown is checked against the table's row count.

Run it alone, under the shared lock: it uses both cores.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deltalake import DeltaTable, write_deltalake

from dashboard import queries
from dashboard.sources import movimento_source, open_dataset
from tasks.domain.render.arrow import arrow_schema
from tasks.domain.tables import MOVIMENTO_FLAT, TIPOS_CONTA
from tasks.generate.generator import DESCRICOES_CREDITO, DESCRICOES_DEBITO
from tasks.storage import resolve

ROOT = Path("data/bench/dashboard")
BATCH_ROWS = 1_000_000
SIZES = (1_000_000, 10_000_000)


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _h(salt: int) -> str:
    """A pseudo-random non-negative BIGINT per row and salt (DuckDB's hash is unsigned)."""
    return f"CAST(hash(i, {salt}) % 1000000007 AS BIGINT)"


def batch_sql(batch: int, rows: int) -> str:
    """One batch of synthetic movimentos: ids laid out like the generator's, values from its vocabularies,
    personal columns already in their masked forms."""
    debit, credit = _sql_list(DESCRICOES_DEBITO), _sql_list(DESCRICOES_CREDITO)
    return f"""
        SELECT
            ['Ana', 'Bruno', 'Carla', 'Diego', 'Elisa', 'Fábio'][1 + {_h(1)} % 6] AS nome_associado,
            ['Souza', 'Lima', 'Costa', 'Alves'][1 + {_h(2)} % 4] AS sobrenome_associado,
            CAST(16 + {_h(3)} % 70 AS INTEGER) AS idade_associado,
            CAST((1 + {_h(4)} % 500000) / 100 AS DECIMAL(10, 2)) AS vlr_transacao_movimento,
            CASE WHEN credito THEN {credit}[1 + {_h(5)} % {len(DESCRICOES_CREDITO)}]
                 ELSE {debit}[1 + {_h(5)} % {len(DESCRICOES_DEBITO)}] END AS des_transacao_movimento,
            TIMESTAMPTZ '2026-06-30 00:00:00+00' - to_seconds(CAST({_h(6)} % (365 * 86400) AS BIGINT))
                AS data_movimento,
            '411111XXXXXX' || lpad(CAST({_h(7)} % 10000 AS VARCHAR), 4, '0') AS numero_cartao,
            'TITULAR ' || CAST({_h(8)} % 1000 AS VARCHAR) AS nome_impresso_cartao,
            TIMESTAMPTZ '2024-01-01 00:00:00+00' AS data_criacao_cartao,
            {_sql_list(TIPOS_CONTA)}[1 + {_h(9)} % {len(TIPOS_CONTA)}] AS tipo_conta,
            TIMESTAMPTZ '2023-01-01 00:00:00+00' AS data_criacao_conta,
            CAST({900 + batch} AS BIGINT) * 1000000000 + i AS id_movimento,
            CASE WHEN credito THEN 'CREDITO' ELSE 'DEBITO' END AS tipo_transacao,
            'us***@***.com' AS email_associado,
            CASE WHEN pj THEN '112XXXXXXXXX81' ELSE '529XXXXXX25' END AS documento_associado,
            CASE WHEN pj THEN 'PJ' ELSE 'PF' END AS tipo_pessoa,
            'bench-{batch:02d}' AS batch_id,
            sha256(CAST(i AS VARCHAR) || '-{batch}') AS row_hash
        FROM (SELECT i, {_h(10)} % 100 < 15 AS credito, {_h(11)} % 100 < 10 AS pj FROM range({rows}) t(i))
    """


def build_table(rows: int) -> Path:
    """The Delta table of `rows` rows (batches of BATCH_ROWS), built once; reused when already complete."""
    output = ROOT / f"rows-{rows}"
    path = output / "delta" / MOVIMENTO_FLAT.name
    batches = max(1, rows // BATCH_ROWS)
    if DeltaTable.is_deltatable(str(path)) and DeltaTable(str(path)).version() == batches - 1:
        return output
    schema = arrow_schema(MOVIMENTO_FLAT)
    connection = queries.connect()
    started = time.perf_counter()
    for batch in range(batches):
        size = rows // batches + (rows % batches if batch == batches - 1 else 0)
        reader = connection.sql(batch_sql(batch, size)).to_arrow_reader(batch_size=256_000)
        if batch == 0:
            write_deltalake(str(path), reader.cast(schema), mode="overwrite")
        else:
            write_deltalake(str(path), reader.cast(schema), mode="append")
    print(f"built {rows:,} rows in {batches} commit(s) in {time.perf_counter() - started:.1f}s: {path}")
    return output


@dataclass(frozen=True)
class Figures:
    rows: int
    cube_rows: int
    cube_s: float  # the scan of the table into the cube
    page_queries_s: float  # the business page's queries over the cube
    first_numbers_s: float  # navigation to the figures visible (server cache cold)
    first_idle_s: float  # navigation to the end of the script run
    cached_numbers_s: float  # a second navigation, the cube cached


def page_queries(cube: object) -> None:
    import pyarrow as pa

    assert isinstance(cube, pa.Table)
    filters = queries.Filters()
    queries.scope(cube)
    queries.totals(cube, filters)
    queries.per_day(cube, filters)
    queries.per_day_by(cube, filters, "tipo_transacao")
    for dimension in queries.DIMENSIONS:
        queries.by_dimension(cube, filters, dimension)  # type: ignore[arg-type]
    queries.top_descriptions(cube, filters)


def measure(rows: int) -> Figures:
    from tests.utils.browser import chromium_page
    from tests.utils.dashboard import metric, parse_count, running_dashboard, wait_for_page

    output = build_table(rows)
    source = movimento_source(resolve(str(output)))
    assert source is not None
    started = time.perf_counter()
    cube = queries.movement_cube(open_dataset(source))
    cube_s = time.perf_counter() - started
    started = time.perf_counter()
    page_queries(cube)
    page_queries_s = time.perf_counter() - started

    with running_dashboard(output.resolve()) as url, chromium_page() as browser:
        started = time.perf_counter()
        browser.page.goto(f"{url}/")
        shown = metric(browser.page, "Movements", timeout_ms=600_000)
        first_numbers_s = time.perf_counter() - started
        wait_for_page(browser.page, "Card movements", timeout_ms=600_000)
        first_idle_s = time.perf_counter() - started
        assert parse_count(shown) == rows, (shown, rows)
        browser.page.goto("about:blank")
        started = time.perf_counter()
        browser.page.goto(f"{url}/")
        metric(browser.page, "Movements")
        cached_numbers_s = time.perf_counter() - started
        assert not browser.external_requests(), browser.external_requests()
    return Figures(
        rows, cube.num_rows, cube_s, page_queries_s, first_numbers_s, first_idle_s, cached_numbers_s
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    results = [measure(rows) for rows in args.rows]
    print(
        f"{'rows':>12} {'cube rows':>10} {'cube scan s':>12} {'page queries s':>15} "
        f"{'first render: numbers s':>24} {'script done s':>14} {'cached render s':>16}"
    )
    for row in results:
        print(
            f"{row.rows:>12,} {row.cube_rows:>10,} {row.cube_s:>12.2f} {row.page_queries_s:>15.3f} "
            f"{row.first_numbers_s:>24.2f} {row.first_idle_s:>14.2f} {row.cached_numbers_s:>16.2f}"
        )


if __name__ == "__main__":
    main()

"""What a batch looks like in numbers: the figures the drift checks compare with the trailing runs.

Measured on every row the gate judged (exported and quarantined alike): a batch that arrives half empty, or
with twice its usual amount, is suspicious whatever the gate then sets aside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

AMOUNT = "vlr_transacao_movimento"
TIPO = "tipo_transacao"
# movimento_flat keeps the card only masked (6 first and 4 last digits); with the card's issue time the masked
# number tells cards apart (two cards alike in both are as good as impossible in one batch).
CARD = ("numero_cartao", "data_criacao_cartao")


@dataclass(frozen=True)
class BatchMetrics:
    """One run's figures (quarantine rates in percent of the batch's rows, as GX reports them)."""

    row_count: int
    vlr_transacao_sum: float
    distinct_cards: int
    tipo_transacao_share: dict[str, float] = field(default_factory=dict)
    quarantine_rate: dict[str, float] = field(default_factory=dict)

    def series(self) -> dict[str, float]:
        """Every figure under the metric name the drift checks and the ledger use."""
        figures = {
            "row_count": float(self.row_count),
            "vlr_transacao_sum": self.vlr_transacao_sum,
            "distinct_cards": float(self.distinct_cards),
        }
        figures |= {
            f"tipo_transacao_share:{tipo}": share for tipo, share in self.tipo_transacao_share.items()
        }
        figures |= {f"quarantine_rate:{rule}": rate for rule, rate in self.quarantine_rate.items()}
        return figures


def measure(frame: DataFrame, quarantined_by_rule: dict[str, int], rules: list[str]) -> BatchMetrics:
    """Two small jobs over the gate's persisted frame: per-tipo counts and sums, and the distinct cards.

    `rules` are every quarantine rule of the suite, so a rule that set nothing aside this run counts as 0%.
    """
    per_tipo = (
        frame.groupBy(TIPO).agg(F.count(F.lit(1)).alias("rows"), F.sum(AMOUNT).alias("amount")).collect()
    )
    rows = sum(int(row["rows"]) for row in per_tipo)
    amount = float(sum(row["amount"] or 0 for row in per_tipo))
    cards = int(frame.select(F.count_distinct(*CARD)).first()[0])  # type: ignore[index]
    shares = {str(row[TIPO]): int(row["rows"]) / rows for row in per_tipo if rows and row[TIPO] is not None}
    rates = {rule: 100.0 * quarantined_by_rule.get(rule, 0) / rows if rows else 0.0 for rule in rules}
    return BatchMetrics(rows, amount, cards, shares, rates)

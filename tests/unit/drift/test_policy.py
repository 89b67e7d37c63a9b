"""The drift policy is data (expectations/drift.json): every check names a known figure and warns or fails."""

from __future__ import annotations

import json

import pytest

from tasks.domain.contract import Policy
from tasks.drift.policy import METRICS, POLICY_FILE, load_policy, parse_policy


def test_the_policy_file_covers_every_figure_with_warn_or_fail() -> None:
    policy = load_policy()
    assert {check.metric for check in policy.checks} == set(METRICS)
    assert {check.policy for check in policy.checks} <= {Policy.WARN, Policy.FAIL}
    assert 1 <= policy.min_history <= policy.window_runs
    assert policy.check_for("tipo_transacao_share:DEBITO") is not None
    assert policy.check_for("row_count_total") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"metrica": "linhas"}, "unknown metric"),
        ({"politica": "quarantine"}, "must warn or fail"),
    ],
)
def test_a_wrong_check_is_refused(change: dict[str, str], message: str) -> None:
    document = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    document["checagens"][0] |= change
    with pytest.raises(ValueError, match=message):
        parse_policy(document)


def test_a_minimum_history_beyond_the_window_is_refused() -> None:
    document = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    document["historico_minimo"] = document["janela_execucoes"] + 1
    with pytest.raises(ValueError, match="historico_minimo"):
        parse_policy(document)

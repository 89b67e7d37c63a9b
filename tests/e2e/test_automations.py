"""Alerts and freshness end to end: a real Prefect server, the automations of deploy/automations.yaml applied by
the module `make automations` runs (twice: idempotent), their webhook block pointed at a local receiver, and a
real run of the flow failing at the gate. The receiver gets the failed-run and the failed-gate notifications,
naming the run, its state and the rule, with no raw value of the batch; and the freshness automation, its
window shortened to seconds, fires when no batch-ready event arrives; the per-landing one, when a landing whose
watcher announced a batch announces none for a window after it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.schemas.filters import FlowFilter, FlowFilterName

from tasks.landing.writer import CSV_DELIMITER
from tests.utils.batches import land_batch, rewrite_file
from tests.utils.prefect_stack import BIN, REPO, PrefectServer, apply_deploy_file, prefect_server, watcher
from tests.utils.webhook_receiver import WebhookReceiver, webhook_receiver

AUTOMATIONS = (
    "sicooperative-run-failed",
    "sicooperative-gate-failed",
    "sicooperative-batch-freshness",
    "sicooperative-landing-freshness",
)
FRESHNESS_SECONDS = 12  # Prefect's minimum for a proactive trigger is 10 s
TOKEN = "hook-token-8f3a9c"  # stands in for the secret part of a real webhook URL
NOTIFY_TIMEOUT = 90


def apply_automations(server: PrefectServer, receiver: WebhookReceiver) -> str:
    """What `make automations` runs, with the webhook URL given only through the environment."""
    env = server.env(
        SICOOP_ALERT_WEBHOOK_URL=f"{receiver.url}/hooks/{TOKEN}",
        SICOOP_FRESHNESS_WINDOW_SECONDS=str(FRESHNESS_SECONDS),
    )
    return apply_deploy_file("flows.ops.automations", "deploy/automations.yaml", env)


@pytest.fixture(scope="module")
def alerting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrefectServer, WebhookReceiver]]:
    with webhook_receiver() as receiver, prefect_server(tmp_path_factory.mktemp("prefect-alerts")) as server:
        first = apply_automations(server, receiver)
        again = apply_automations(server, receiver)
        assert all(f"automation {name}: created" in first for name in AUTOMATIONS), first
        assert all(f"automation {name}: updated" in again for name in AUTOMATIONS), again
        yield server, receiver


def test_automations_are_applied_once_each_and_keep_no_secret(
    alerting: tuple[PrefectServer, WebhookReceiver],
) -> None:
    server, _ = alerting
    with server.client() as client:
        automations = client.read_automations()
        blocks = client.read_block_documents(include_secrets=False)
    assert sorted(a.name for a in automations) == sorted(AUTOMATIONS)
    assert all(a.enabled for a in automations)
    [block] = [b for b in blocks if b.name == "sicoop-alerts"]
    assert TOKEN not in block.model_dump_json()  # the URL lives in the block's secret values only
    assert TOKEN not in "".join(a.model_dump_json() for a in automations)


def test_no_batch_within_the_window_notifies(alerting: tuple[PrefectServer, WebhookReceiver]) -> None:
    _, receiver = alerting
    started = time.monotonic()
    notice = receiver.wait_for(lambda r: "no batch for" in r.text, timeout=5 * FRESHNESS_SECONDS + 30)
    print(f"\n[freshness] notification {time.monotonic() - started:.1f} s after the automations were applied")
    assert "0:00:12" in notice.text and "sicooperative.batch.ready" in notice.text
    assert notice.path == f"/hooks/{TOKEN}"


def test_a_landing_silent_after_its_last_batch_notifies_once(
    alerting: tuple[PrefectServer, WebhookReceiver], tmp_path: Path
) -> None:
    server, receiver = alerting
    landing = tmp_path / "landing"
    batch = land_batch(landing, seed=251, associados=20, movimentos=50)
    with watcher(server, str(landing), "quiet-landing", tmp_path):  # the real watcher announces the batch
        started = time.monotonic()
        notice = receiver.wait_for(lambda r: "landing quiet-landing silent" in r.text, timeout=NOTIFY_TIMEOUT)
        print(
            f"\n[landing freshness] notification {time.monotonic() - started:.1f} s after the watcher started"
        )
        assert "0:00:12" in notice.text and f"since its last one, {batch.name}" in notice.text
        time.sleep(2 * FRESHNESS_SECONDS)  # still silent: no second alert for the same silence
    with receiver.lock:
        alerts = [r for r in receiver.received if "landing quiet-landing silent" in r.text]
    assert len(alerts) == 1, [r.text for r in alerts]


def raw_values(batch: Path) -> set[str]:
    """Every CPF/CNPJ, e-mail and card number of the batch, as landed."""
    values: set[str] = set()
    for file_name, columns in (("associado.csv", ("cpf_cnpj", "email")), ("cartao.csv", ("num_cartao",))):
        header, *rows = (batch / file_name).read_text(encoding="utf-8").splitlines()
        names = [name.strip('"') for name in header.split(CSV_DELIMITER)]
        for row in rows:
            fields = row.split(CSV_DELIMITER)
            values |= {fields[names.index(column)].strip('"') for column in columns}
    return {value for value in values if value}


def test_a_failed_gate_notifies_the_run_and_the_rule_without_values(
    alerting: tuple[PrefectServer, WebhookReceiver], services: dict[str, str], tmp_path: Path
) -> None:
    server, receiver = alerting
    landing, output = tmp_path / "landing", tmp_path / "output"
    batch = land_batch(landing, seed=191, associados=40, movimentos=200)
    values = raw_values(batch)
    raw_cpf = sorted(v for v in values if len(v) == 11 and v.isdigit())[0]

    def cpf_in_a_description(lines: list[str]) -> list[str]:  # passes the load, blocked by the gate
        fields = lines[1].split(CSV_DELIMITER)
        fields[2] = f'"Pagamento CPF {raw_cpf}"'
        return [lines[0], CSV_DELIMITER.join(fields), *lines[2:]]

    rewrite_file(batch, "movimento.csv", cpf_in_a_description)
    env = server.env(
        SICOOP_POSTGRES_DSN=services["dsn"],
        SICOOP_MONGO_URI=services["uri"],
        SICOOP_MONGO_DATABASE=services["database"],
    )
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "python"), "-m", "flows.main", "--batch", batch.name, "--landing", str(landing),
         "--output", str(output)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    with server.client() as client:
        [run] = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["sicooperative-pipeline"]))
        )
    assert run.state is not None and run.state.name == "Failed"

    failed = receiver.wait_for(lambda r: f"run {run.name} Failed" in r.text, NOTIFY_TIMEOUT)
    gate = receiver.wait_for(lambda r: "quality gate failed" in r.text, NOTIFY_TIMEOUT)
    print(f"\n[alerts] run + notifications {time.monotonic() - started:.1f} s\n{failed.text}\n{gate.text}")
    assert f"Flow run {run.name} ({run.id}) of sicooperative-pipeline ended Failed" in failed.text
    assert f"batch {batch.name}" in failed.text
    assert f"batch {batch.name}" in gate.text and f"flow run {run.name}" in gate.text
    assert "column_values_to_be_null(_dados_pessoais): 1 rows" in gate.text
    for notice in receiver.received:
        assert not any(value in notice.text for value in values), "a raw value reached a notification"
        assert "GateFailed" not in notice.text  # no state message, which quotes the run's error

"""Every definition of the project loads, and they agree with each other: the flow and its parameter schema,
prefect.yaml's deployments and triggers, the work pools, every suite, the table contract, the settings and
where they are documented. Cheap (no Spark, no server): the first test to fail when one place is edited alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import Flow, load_flow_from_entrypoint
from prefect.utilities.callables import parameter_schema

from dashboard.settings import DashboardSettings
from flows.maintenance import sicooperative_maintenance
from flows.parameters import PipelineParameters
from flows.pipeline import sicooperative_pipeline
from flows.watch.event import EVENT_LABELS, EVENT_NAME
from tasks.domain.contract import Policy
from tasks.domain.suites import generated, hand_written, suite_json
from tasks.domain.tables import GATE_COLUMNS, MOVIMENTO_FLAT, TABLES, TABLES_BY_NAME
from tasks.maintenance.delta_upkeep import SAFE_RETENTION_HOURS
from tasks.settings import Settings
from tasks.transform.masking import RULES

REPO = Path(__file__).resolve().parents[2]
SUITES = ("associado", "conta", "cartao", "movimento", "movimento_flat")
COLUMN_KEYS = ("column", "column_A", "column_B")


def prefect_yaml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return data


def settings_variables() -> set[str]:
    pipeline = {f"SICOOP_{name.upper()}" for name in Settings.model_fields}
    return pipeline | {f"SICOOP_DASHBOARD_{name.upper()}" for name in DashboardSettings.model_fields}


def test_the_flow_publishes_the_parameters_declared_once() -> None:
    schema = parameter_schema(sicooperative_pipeline.fn).model_dump_for_openapi()
    assert set(schema["properties"]) == set(PipelineParameters.model_fields)
    for name, field in PipelineParameters.model_fields.items():  # the docstring's, as the UI shows them
        shown = " ".join(str(schema["properties"][name].get("description")).split())
        assert shown == field.description, name


def deployments_of(flow: Flow[..., Any]) -> list[dict[str, Any]]:
    return [d for d in prefect_yaml()["deployments"] if d["entrypoint"].endswith(f":{flow.fn.__name__}")]


def test_every_deployment_runs_one_of_the_flows() -> None:
    """Each deployment's entrypoint is the pipeline or the Delta upkeep, on each pool."""
    flows = {sicooperative_pipeline.name, sicooperative_maintenance.name}
    for deployment in prefect_yaml()["deployments"]:
        flow: Flow[..., Any] = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
        assert flow.name in flows, deployment["name"]
    pools = {d["work_pool"]["name"] for d in deployments_of(sicooperative_maintenance)}
    assert pools == {d["work_pool"]["name"] for d in deployments_of(sicooperative_pipeline)}


@pytest.mark.parametrize("deployment", deployments_of(sicooperative_maintenance), ids=lambda d: d["name"])
def test_the_upkeep_runs_daily_with_a_valid_retention(deployment: dict[str, Any]) -> None:
    [schedule] = deployment["schedules"]
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
    assert cron.cron.split()[2:] == ["*", "*", "*"]  # every day
    assert not deployment.get("triggers")
    schema = parameter_schema(sicooperative_maintenance.fn).model_dump_for_openapi()
    assert set(deployment["parameters"]) <= set(schema["properties"])
    assert deployment["parameters"]["retention_hours"] >= SAFE_RETENTION_HOURS


@pytest.mark.parametrize("deployment", deployments_of(sicooperative_pipeline), ids=lambda d: d["name"])
def test_each_deployment_runs_the_flow_with_parameters_it_takes(deployment: dict[str, Any]) -> None:
    parameters = set(PipelineParameters.model_fields)
    for trigger in deployment.get("triggers", []):
        assert trigger["expect"] == [EVENT_NAME], trigger["name"]
        assert set(trigger["match"]) <= {"prefect.resource.id", *EVENT_LABELS}, trigger["name"]
        assert set(trigger.get("parameters", {})) <= parameters, trigger["name"]
    env = deployment["work_pool"].get("job_variables", {}).get("env", {})
    unknown = {name for name in env if name.startswith("SICOOP_")} - settings_variables()
    assert not unknown, f"{deployment['name']} sets variables no setting reads: {unknown}"


def test_every_work_pool_of_the_deployments_is_created_by_make_pools() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    created = set(re.findall(r"work-pool create (\S+)", makefile))
    used = {d["work_pool"]["name"] for d in prefect_yaml()["deployments"]}
    assert used <= created


def _columns_of(suite: str) -> set[str]:
    if suite == MOVIMENTO_FLAT.name:
        return {*MOVIMENTO_FLAT.column_names, *GATE_COLUMNS}
    return set(TABLES_BY_NAME[suite].column_names)


@pytest.mark.parametrize("suite", SUITES)
def test_every_rule_names_real_columns_a_policy_and_a_rule_once(suite: str) -> None:
    expectations = suite_json(suite)["expectations"]
    allowed = (
        set(Policy) if suite == MOVIMENTO_FLAT.name else {Policy.FAIL, Policy.WARN}
    )  # load never quarantines
    seen: set[str] = set()
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        named = {kwargs[key] for key in COLUMN_KEYS if key in kwargs}
        assert named <= _columns_of(suite), (suite, expectation["type"], named)
        assert expectation["meta"]["politica"] in allowed, (suite, expectation["type"])
        assert expectation["meta"]["regra"], (suite, expectation["type"])
        identity = json.dumps([expectation["type"], kwargs], sort_keys=True)
        assert identity not in seen, f"{suite}: {identity} declared twice (by hand and by the contract?)"
        seen.add(identity)
    assert len(expectations) == len(generated(suite)) + len(hand_written(suite)["expectations"])


def test_the_contract_is_consistent() -> None:
    names = {table.name for table in TABLES}
    for table in TABLES:
        for column_name, parent_name in table.references:
            assert parent_name in names, (table.name, column_name)
        for reference in table.composite_references:
            parent = TABLES_BY_NAME[reference.parent]
            assert set(reference.parent_columns) <= set(parent.column_names)
            assert (
                reference.parent_columns in parent.unique_together
                or reference.parent_columns == parent.primary_key
            )
        for column in table.columns:
            if column.personal is not None:
                assert column.personal in RULES, f"{table.name}.{column.name} has no masking rule"
    assert MOVIMENTO_FLAT.key in MOVIMENTO_FLAT.column_names


def test_every_setting_is_documented_in_the_readme_and_the_env_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table_lines = [line for line in readme.splitlines() if line.startswith("| `SICOOP_")]
    documented = set(re.findall(r"SICOOP_[A-Z0-9_]+", "\n".join(table_lines)))
    example = set(re.findall(r"^#? ?(SICOOP_[A-Z0-9_]+)=", (REPO / ".env.example").read_text("utf-8"), re.M))
    settings = settings_variables()
    assert settings - documented == set(), "settings missing from the README's configuration table"
    assert documented - settings == set(), "README documents settings that do not exist"
    assert example - settings == set(), ".env.example sets variables no setting reads"

"""The flow's parameters: declared once with descriptions and bounds, in the schema Prefect publishes (the UI's
form and the server's validation of deployment runs), and enforced before a run starts. Landing and output are
configuration, not parameters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.exceptions import ParameterTypeError, SignatureMismatchError
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import ValidationError as SchemaValidationError
from prefect.utilities.schema_tools.validation import validate
from pydantic import ValidationError

from flows import main as cli
from flows.parameters import MAX_MOVIMENTOS, PipelineParameters
from flows.pipeline import sicooperative_pipeline
from tasks.generate.generator import MAX_ASSOCIADOS, MAX_SEED, MOVIMENTO_ID_BLOCK
from tasks.settings import get_settings
from tests.utils.triggers import all_triggers, landings_of, render, server_event, uri_for


def schema() -> dict[str, Any]:
    return parameter_schema(sicooperative_pipeline.fn).model_dump_for_openapi()


def test_the_bounds_are_the_generators() -> None:
    assert MAX_ASSOCIADOS == 166_666
    assert MAX_MOVIMENTOS == MOVIMENTO_ID_BLOCK - 1 == 999_999_999
    assert MAX_SEED == 999


def test_the_published_schema_carries_descriptions_bounds_and_defaults() -> None:
    properties = schema()["properties"]
    assert list(properties) == ["associados", "movimentos", "seed", "batch"]  # no landing, no output
    bounds = {"associados": (1, 166_666), "movimentos": (0, 999_999_999), "seed": (0, 999)}
    for name, (low, high) in bounds.items():
        assert (properties[name]["minimum"], properties[name]["maximum"]) == (low, high), name
        assert properties[name]["type"] == "integer"
    [text, none] = properties["batch"]["anyOf"]
    assert none == {"type": "null"}
    assert text["type"] == "string" and text["maxLength"] == 1024 and text["minLength"] == 1
    assert text["pattern"] == r"^[^\x00-\x1f\x7f-\x9f]*$"
    # The UI's descriptions (from the flow's docstring) and defaults say what the model says.
    for name, field in PipelineParameters.model_fields.items():
        assert field.description
        assert " ".join(properties[name]["description"].split()) == field.description, name
        assert properties[name]["default"] == field.default, name


@pytest.mark.parametrize(
    "parameters",
    [
        {"associados": 0},
        {"associados": 166_667},
        {"movimentos": -1},
        {"movimentos": 1_000_000_000},
        {"seed": 1000},
        {"seed": "7; drop"},
        {"batch": "b\n1"},
        {"batch": "b1\x85"},
        {"batch": "x" * 1025},
        {"batch": ""},
    ],
)
def test_out_of_bounds_values_are_refused_before_a_run(parameters: dict[str, Any]) -> None:
    with pytest.raises(ParameterTypeError):
        sicooperative_pipeline.validate_parameters(parameters)
    with pytest.raises(SchemaValidationError):  # what the server checks for a deployment run
        validate(parameters, schema(), raise_on_error=True)
    with pytest.raises(ValidationError):
        PipelineParameters.model_validate(parameters)


def test_a_trailing_newline_is_refused_by_the_flow() -> None:
    """The server's JSON-schema check uses Python's `re.search`, whose `$` also matches before a final newline;
    the flow's own validation (and locate_batch) refuse it before any stage runs."""
    with pytest.raises(ParameterTypeError):
        sicooperative_pipeline.validate_parameters({"batch": "b1\n"})


@pytest.mark.parametrize("name", ["landing", "output"])
def test_landing_and_output_are_not_parameters(name: str) -> None:
    with pytest.raises(SignatureMismatchError):
        sicooperative_pipeline.validate_parameters({name: "/etc"})
    with pytest.raises(ValidationError, match="Extra inputs"):
        PipelineParameters.model_validate({name: "/etc"})


def test_values_within_bounds_pass() -> None:
    edge = {"associados": 166_666, "movimentos": 999_999_999, "seed": 0, "batch": "s3://b/landing/x"}
    assert sicooperative_pipeline.validate_parameters(edge) == edge
    validate(edge, schema(), raise_on_error=True)
    assert sicooperative_pipeline.validate_parameters({}) == PipelineParameters().model_dump()


@pytest.mark.parametrize(
    ("deployment", "trigger"), all_triggers(), ids=lambda v: v if isinstance(v, str) else v["name"]
)
def test_every_triggers_parameters_pass_the_flows_validation(
    deployment: str, trigger: dict[str, Any]
) -> None:
    """The server validates a triggered run's parameters against the schema: a trigger's must pass."""
    for landing in landings_of(trigger):
        rendered = render(trigger["parameters"], server_event(landing, uri_for(landing, "b1"), "b1"))
        validate(rendered, schema(), raise_on_error=True)
        validated = sicooperative_pipeline.validate_parameters(rendered)
        assert validated == PipelineParameters(**rendered).model_dump()
        assert validated["batch"] == rendered["batch"]


@pytest.fixture
def restored_locations(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """main() sets both variables for its whole process: monkeypatch puts them back afterwards."""
    for name in (cli.LANDING_VARIABLE, cli.OUTPUT_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    yield
    get_settings.cache_clear()


def test_the_command_line_configures_landing_and_output_for_its_process(
    restored_locations: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    class Completed:
        def is_completed(self) -> bool:
            return True

    def fake_flow(**kwargs: Any) -> Completed:
        settings = get_settings()
        seen.update(kwargs, landing=settings.landing_dir, output=settings.output_dir)
        return Completed()

    monkeypatch.setattr("flows.pipeline.sicooperative_pipeline", fake_flow)
    landing, output = str(tmp_path / "in"), str(tmp_path / "out")
    assert cli.main(["--landing", landing, "--output", output, "--batch", "b1", "--seed", "7"]) == 0
    assert seen == {
        "associados": 5_000,
        "movimentos": 100_000,
        "seed": 7,
        "batch": "b1",
        "return_state": True,
        "landing": landing,
        "output": output,
    }


def test_the_command_line_refuses_out_of_bounds_values_before_running(
    restored_locations: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def never(**kwargs: Any) -> None:
        raise AssertionError("the flow must not run")

    monkeypatch.setattr("flows.pipeline.sicooperative_pipeline", never)
    assert cli.main(["--seed", "1000"]) == 2
    assert "--seed: Input should be less than or equal to 999" in capsys.readouterr().err

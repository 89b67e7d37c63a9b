"""The pipeline's run parameters, with their descriptions and bounds, declared once.

A deployment's parameters come from people (the Prefect UI's form) and from events (the triggers' templates),
so Prefect validates them against these types before a run starts: the UI shows the descriptions and refuses
out-of-bounds values, and an API call or a trigger with a bad value creates a run that fails at once, before any
stage. The bounds are the generator's own (`tasks/generate/generator.py`). Where the batch lands and where the
outputs go are not parameters: they are the worker's configuration (SICOOP_LANDING_DIR, SICOOP_OUTPUT_DIR).

The flow takes these as typed parameters (not one nested object) so that a run's parameters stay
`{"batch": ...}`, which is what prefect.yaml's triggers template and what operators filter runs by.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tasks.generate.generator import MAX_ASSOCIADOS, MAX_SEED, MOVIMENTO_ID_BLOCK
from tasks.landing.staging import BATCH_MAX_LENGTH, CONTROL_CHARACTERS

MAX_MOVIMENTOS = MOVIMENTO_ID_BLOCK - 1
BATCH_PATTERN = rf"^[^{CONTROL_CHARACTERS}]*$"

ASSOCIADOS_DESCRIPTION = "Associados to generate (not used with batch)."
MOVIMENTOS_DESCRIPTION = "Movimentos to generate (not used with batch)."
SEED_DESCRIPTION = "Random seed; it also selects the generated batch's id block (not used with batch)."
BATCH_DESCRIPTION = (
    "An already-landed batch to process instead of generating one: its folder name in the landing, or its "
    "path or s3:// URI directly inside the landing. Empty: generate a batch."
)

Associados = Annotated[int, Field(ge=1, le=MAX_ASSOCIADOS, description=ASSOCIADOS_DESCRIPTION)]
Movimentos = Annotated[int, Field(ge=0, le=MAX_MOVIMENTOS, description=MOVIMENTOS_DESCRIPTION)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, description=SEED_DESCRIPTION)]
Batch = Annotated[
    str | None,
    Field(min_length=1, max_length=BATCH_MAX_LENGTH, pattern=BATCH_PATTERN, description=BATCH_DESCRIPTION),
]


class PipelineParameters(BaseModel):
    """One run's parameters; the flow's signature uses the same types and defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    associados: Associados = 5_000
    movimentos: Movimentos = 100_000
    seed: Seed = 42
    batch: Batch = None

"""Property-based: generated valid CPFs, CNPJs (numeric and alphanumeric), card numbers and e-mail addresses,
written in random forms (separators of every class, digits of several scripts, format characters, glued
letters, neighbours), are all found by both readings of the rules, the leak proof's included; generated near
misses pass both."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.domain.contract import PersonalData
from tasks.privacy.detector import personal_data_flag, personal_data_in
from tasks.privacy.fingerprints import Fingerprints
from tasks.privacy.forms import personal_data_kinds
from tests.unit.privacy.generated_forms import (
    Case,
    DrawChooser,
    SeededChooser,
    near_miss,
    personal_data,
)

PYTHON = settings(max_examples=600, deadline=None)
# One Spark query per example: each example is 100-200 texts, each generated from its own drawn seed.
SPARK = settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
SEEDS = st.lists(st.integers(0, 2**63 - 1), min_size=100, max_size=200)


def spark_kinds(spark: SparkSession, texts: list[str]) -> list[tuple[list[str], str | None]]:
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    rows = frame.select(personal_data_in(F.col("text")), personal_data_flag(["text"])).collect()
    return [(sorted(row[0]), row[1]) for row in rows]


@PYTHON
@given(st.data())
def test_python_finds_every_generated_form(data: st.DataObject) -> None:
    case = personal_data(DrawChooser(data))
    assert case.kind in personal_data_kinds(case.text), case


@PYTHON
@given(st.data())
def test_python_lets_every_generated_near_miss_pass(data: st.DataObject) -> None:
    text = near_miss(DrawChooser(data))
    assert personal_data_kinds(text) == set(), text


@SPARK
@given(SEEDS)
def test_spark_finds_every_generated_form(spark: SparkSession, seeds: list[int]) -> None:
    cases = [personal_data(SeededChooser(seed)) for seed in seeds]
    results = spark_kinds(spark, [case.text for case in cases])
    missed = [
        (case, found)
        for case, (found, flag) in zip(cases, results, strict=True)
        if case.kind not in found or flag != ",".join(found)
    ]
    assert not missed, missed[:5]
    assert [set(found) for found, _ in results] == [personal_data_kinds(case.text) for case in cases]


@SPARK
@given(SEEDS)
def test_spark_lets_every_generated_near_miss_pass(spark: SparkSession, seeds: list[int]) -> None:
    texts = [near_miss(SeededChooser(seed)) for seed in seeds]
    flagged = [
        (text, found)
        for text, (found, flag) in zip(texts, spark_kinds(spark, texts), strict=True)
        if found or flag
    ]
    assert not flagged, flagged[:5]


KINDS = {"cpf": PersonalData.DOCUMENT, "cnpj": PersonalData.DOCUMENT, "cartao": PersonalData.CARD}


def leaked(case: Case) -> str:
    if case.kind == "email":  # written in another case
        return "".join(ch.swapcase() if ch.isascii() else ch for ch in case.text)
    return case.text


@PYTHON
@given(st.data())
def test_the_leak_proof_finds_every_generated_form(data: st.DataObject) -> None:
    case = personal_data(DrawChooser(data))
    kind = KINDS.get(case.kind, PersonalData.EMAIL)
    fingerprints = Fingerprints([(kind, case.raw)])
    text = leaked(case)
    assert fingerprints.find(text)[kind] >= 1, case
    assert fingerprints.plausible(pa.array([text])).to_pylist() == [True], case

"""Spark and Python read text alike: the same normalisation table (written for Spark from Python's `unicodedata`)
and the same character classes, shown on every code point Unicode has. Java's classes name general categories,
which it reads from its own Unicode version, plus what that version lacks (`forms._JAVA_LACKS`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.privacy.detector import normalised, personal_data_flag, personal_data_in
from tasks.privacy.forms import (
    JAVA,
    NORMALISATION,
    PYTHON,
    ROW_JOINER,
    normalise,
    personal_data_kinds,
)

SURROGATES = range(0xD800, 0xE000)


def every_character() -> Iterator[str]:
    return (chr(code) for code in range(0x110000) if code not in SURROGATES)


def chunks(size: int = 8192) -> list[str]:
    characters = list(every_character())
    return ["".join(characters[i : i + size]) for i in range(0, len(characters), size)]


def rule(ch: str) -> str:
    """The normalisation rule, character by character, as the brief of `tasks/privacy/forms.py` states it."""
    if unicodedata.category(ch) == "Cf":
        return ""
    if (value := unicodedata.decimal(ch, None)) is not None:
        return str(value)
    compatible = unicodedata.normalize("NFKC", ch)
    if len(compatible) != 1:
        return ch
    value = unicodedata.decimal(compatible, None)
    return compatible if value is None else str(value)


def test_the_table_is_the_rule_and_normalising_twice_changes_nothing() -> None:
    wrong = [hex(ord(ch)) for ch in every_character() if normalise(ch) != rule(ch)]
    assert not wrong, wrong[:10]
    assert all(normalise(target) == target for target in NORMALISATION.values() if target is not None)
    assert all(code >= 0x80 for code in NORMALISATION)  # ASCII text is left as it is (the fast path)


def test_only_the_planes_read_hold_assigned_characters() -> None:
    outside = [
        hex(code)
        for code in [*range(0x40000, 0xE0000), *range(0xF0000, 0x110000)]
        if unicodedata.category(chr(code)) not in ("Cn", "Co")
    ]
    assert not outside


def test_pythons_classes_are_letters_and_digits_by_general_category() -> None:
    separator, letter_or_digit = re.compile(PYTHON.separator), re.compile(PYTHON.letter_or_digit)
    wrong = []
    for ch in every_character():
        is_letter_or_digit = unicodedata.category(ch)[0] in "LN"
        if ch.isalnum() != is_letter_or_digit or bool(letter_or_digit.fullmatch(ch)) != is_letter_or_digit:
            wrong.append(hex(ord(ch)))
        if bool(separator.fullmatch(ch)) != (not is_letter_or_digit and ch != ROW_JOINER):
            wrong.append(hex(ord(ch)))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("shape", ["separator", "letter_or_digit", "email_user"])
def test_java_and_python_classes_hold_the_same_characters(spark: SparkSession, shape: str) -> None:
    texts = chunks()
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    java = getattr(JAVA, shape)
    python = re.compile(getattr(PYTHON, shape))
    kept = [row[0] for row in frame.select(F.regexp_replace("text", java, "")).collect()]
    expected = [python.sub("", text) for text in texts]
    differ = sorted(
        {f"U+{ord(ch):04X}" for got, want in zip(kept, expected, strict=True) for ch in set(got) ^ set(want)}
    )
    assert not differ, (
        f"{len(differ)} characters read differently (list them in forms._JAVA_LACKS): {differ[:20]}"
    )


def test_spark_normalises_every_character_as_python_does(spark: SparkSession) -> None:
    texts = chunks()
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    assert [row[0] for row in frame.select(normalised(F.col("text"))).collect()] == [
        normalise(t) for t in texts
    ]


def test_look_behinds_see_whole_supplementary_characters(spark: SparkSession) -> None:
    texts = {
        "\U00020000@exemplo.com": ["email"],  # a CJK letter outside the BMP ends the user part
        "\U0001f600@exemplo.com": [],  # an emoji is no address character
        "\U0002000012ABC34501DE35": [],  # glued to a letter
        "\U0001f60012ABC34501DE35": ["cnpj"],  # an emoji separates
        "12ABC34501DE35\U00020000": [],
        "\U0001d7cf\U0001d7d0ABC34501DE35": ["cnpj"],  # mathematical digits are digits
    }
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    assert [sorted(row[0]) for row in frame.select(personal_data_in(F.col("text"))).collect()] == list(
        texts.values()
    )
    assert [sorted(personal_data_kinds(t)) for t in texts] == list(texts.values())


def test_the_flag_compiles_to_java(spark: SparkSession) -> None:
    """Patterns Spark compiles into generated code stay within a class file's constant size: no silent fallback."""
    previous = spark.conf.get("spark.sql.codegen.fallback")
    spark.conf.set("spark.sql.codegen.fallback", "false")
    try:
        frame = spark.createDataFrame([("ana", "529.982.247-25"), ("x", "y")], "a string, b string")
        assert [row[0] for row in frame.select(personal_data_flag(["a", "b"])).collect()] == ["cpf", None]
    finally:
        spark.conf.set("spark.sql.codegen.fallback", previous or "true")

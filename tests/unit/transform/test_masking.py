from collections.abc import Callable

import pytest
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from tasks.transform.masking import (
    MASKING_POLICY,
    MaskRule,
    mask_card,
    mask_document,
    mask_email,
    mask_sources,
    tipo_pessoa,
)


def apply(
    spark: SparkSession, rule: Callable[[Column], Column], values: list[str | None]
) -> list[str | None]:
    frame = spark.createDataFrame([(v,) for v in values], "value string")
    return [row[0] for row in frame.select(rule(F.col("value"))).collect()]


def test_document_keeps_three_first_and_two_last_digits(spark: SparkSession) -> None:
    assert apply(
        spark, mask_document, ["52998224725", "529.982.247-25", "11.222.333/0001-81", "11222333000181"]
    ) == [
        "529XXXXXX25",
        "529XXXXXX25",
        "112XXXXXXXXX81",
        "112XXXXXXXXX81",
    ]


@pytest.mark.parametrize(
    ("raw", "masked"), [(None, None), ("", ""), ("12345", "XXXXX"), ("123456", "123X56"), ("abc", "")]
)
def test_document_edge_cases(spark: SparkSession, raw: str | None, masked: str | None) -> None:
    assert apply(spark, mask_document, [raw]) == [masked]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("4111111111111111", "411111XXXXXX1111"),  # 16 digits
        ("4111 1111 1111 1111", "411111XXXXXX1111"),  # formatted
        ("378282246310005", "378282XXXXX0005"),  # 15 (Amex)
        ("6011111111111111117", "601111XXXXXXXXX1117"),  # 19
        ("4222222222222", "422222XXX2222"),  # 13
        ("123456789012", "XXXXXXXXXXXX"),  # too short to be a card: nothing kept
        (None, None),
    ],
)
def test_card_keeps_six_first_and_four_last(spark: SparkSession, raw: str | None, masked: str | None) -> None:
    assert apply(spark, mask_card, [raw]) == [masked]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("anthony.porto1@icloud.com", "an***@***.com"),
        ("ana@gmail.com", "a***@***.com"),  # a short user part keeps one character
        ("ab@gmail.com", "***@***.com"),  # a shorter one keeps none
        ("a@b.io", "***@***.io"),
        ("first.last@sub.domain.com.br", "fi***@***.br"),
        ("weird@name@host.com", "we***@***.com"),  # split at the last '@'
        ("  padded@host.com ", "pa***@***.com"),
        ("user@localhost", "u***@***"),
        ("no-at-sign.com", "***"),
        ("", ""),
        (None, None),
    ],
)
def test_email_masking(spark: SparkSession, raw: str | None, masked: str | None) -> None:
    assert apply(spark, mask_email, [raw]) == [masked]


def test_tipo_pessoa_from_document_length(spark: SparkSession) -> None:
    assert apply(spark, tipo_pessoa, ["529.982.247-25", "11222333000181", None]) == ["PF", "PJ", None]


def test_policy_masks_the_source_tables_and_derives_tipo_pessoa(spark: SparkSession) -> None:
    associado = spark.createDataFrame(
        [(1, "a@b.com.br", "11222333000181"), (2, "joana@x.com", "52998224725")],
        "id long, email string, cpf_cnpj string",
    )
    cartao = spark.createDataFrame([(1, "4111111111111111")], "id long, num_cartao string")
    masked = mask_sources({"associado": associado, "cartao": cartao})
    rows = {row["id"]: row for row in masked["associado"].collect()}
    assert rows[1]["tipo_pessoa"] == "PJ" and rows[2]["tipo_pessoa"] == "PF"
    assert rows[1]["cpf_cnpj"] == "112XXXXXXXXX81" and rows[2]["email"] == "jo***@***.com"
    first_card = masked["cartao"].first()
    assert first_card is not None
    assert first_card["num_cartao"] == "411111XXXXXX1111"
    assert MASKING_POLICY["cartao"]["num_cartao"] is MaskRule.CARD


def test_policy_naming_an_absent_column_is_an_error(spark: SparkSession) -> None:
    frame = spark.createDataFrame([(1,)], "id long")
    with pytest.raises(ValueError, match="absent from cartao"):
        mask_sources(
            {
                "associado": spark.createDataFrame([(1, "x", "1")], "id long, email string, cpf_cnpj string"),
                "cartao": frame,
            }
        )

"""The personal-data detector: every everyday form of a raw CPF, CNPJ, card number or e-mail is found, every
near miss passes, and a plain-Python reading of the same rules agrees with the Spark expressions on random
strings built to sit at the edges."""

from __future__ import annotations

import random
import re

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tasks.domain.documents import is_luhn_valid, is_valid_cnpj, is_valid_cpf
from tasks.privacy.detector import (
    card_number_valid,
    document_check_digits_valid,
    personal_data_by_column,
    personal_data_flag,
    personal_data_in,
)
from tasks.privacy.forms import (
    CARD_LAYOUTS,
    CNPJ_BOUNDARIES,
    CPF_BOUNDARIES,
    EMAIL_ADDRESS,
    MAX_GROUPS,
    NUMBER_TOKEN,
    SEPARATOR_CHARS,
    SKIPPED_TOKEN_DIGITS,
)

FOUND = {
    # CPF 529.982.247-25 in every mix of separators
    "Pagamento CPF 529.982.247-25": ["cpf"],
    "cpf 529982247-25 confirmado": ["cpf"],
    "52998224725": ["cpf"],
    "529 982 247 25": ["cpf"],
    "529/982/247-25": ["cpf"],
    "529-982-247.25": ["cpf"],
    "CPF52998224725": ["cpf"],
    "doc:529.982.247 - 25": ["cpf"],
    "529\u00a0982\u00a0247\u201325": ["cpf"],  # no-break spaces and an en dash, as word processors write them
    # CNPJ 11.222.333/0001-81
    "CNPJ 11.222.333/0001-81": ["cnpj"],
    "11222333000181": ["cnpj"],
    "11222333/0001-81": ["cnpj"],
    "11 222 333 0001 81": ["cnpj"],
    # card numbers (Luhn), 13-19 digits
    "4111.1111.1111.1111": ["cartao"],
    "4111 1111 1111 1111": ["cartao"],
    "4111-1111-1111-1111": ["cartao"],
    "4111111111111111": ["cartao"],
    "cartao 4111/1111/1111/1111 validade 12/28": ["cartao"],
    "4111 1111 1111 1111 12/28": ["cartao"],
    "amex 3782 822463 10005": ["cartao"],
    "diners 3056 930902 5904": ["cartao"],
    "visa antigo 4222222222222": ["cartao"],
    "5500 0000 0000 0004": ["cartao"],
    "6011 0009 9013 9424": ["cartao"],
    "1234 5678 1234 5670": ["cartao"],
    "4111 1111 1111 1111 110": ["cartao"],  # 19 digits, 4-4-4-4-3
    # e-mail addresses
    "contato: fulano.silva@example.com.br": ["email"],
    "FULANO+tag@Sub.Example.COM": ["email"],
    "joão@exemplo.com.br": ["email"],
    # several kinds in one text
    "529.982.247-25 e ana@gmail.com": ["cpf", "email"],
}
PASSES = [
    # phone numbers
    "(11) 98765-4321",
    "+55 11 98765-4321",
    "+5511987654321",
    "11 98765-4321",
    "11 3456-7890",
    "0800 123 4567",
    "11987654321",
    # CEP, dates, times, amounts
    "CEP 01310-100",
    "01310100",
    "2024-01-31",
    "31/01/2024 10:00:00",
    "2026-06-30T12:34:56",
    "R$ 1.234.567,89",
    "1234567.89",
    # boleto lines, bar codes, NF-e access keys
    "23793.38128 60000.000003 00000.000400 1 84340000012345",
    "00190.00009 02819.136005 96628.131317 7 97780000001000",
    "34191790010104351004791020150008291070026000",
    "3524 0112 3456 7800 0190 5500 1000 0000 0110 0000 0019",
    # order ids, protocols, other identifiers
    "PED-2024-0001234567",
    "Pedido 701-1234567-1234567",
    "Protocolo 20240131000123",
    "#A1B2C3D4",
    # masked values, as the pipeline publishes them
    "529XXXXXX25",
    "112XXXXXXXXX81",
    "411111XXXXXX1111",
    "ana.*****@*****.com",
    "joao****@****l.com",
    # numbers whose check digits do not verify
    "529.982.247-26",
    "11.222.333/0001-80",
    "4111 1111 1111 1112",
    "111.111.111-11",
    "0000 0000 0000 0000",
    # everyday text
    "Compra em supermercado",
    "Compra@loja sem dominio",
    "@usuario no app",
    "",
]


def kinds(spark: SparkSession, texts: list[str]) -> list[list[str]]:
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    return [sorted(row[0]) for row in frame.select(personal_data_in(F.col("text"))).collect()]


@pytest.mark.parametrize("text", list(FOUND))
def test_every_everyday_form_is_found(spark: SparkSession, text: str) -> None:
    assert kinds(spark, [text]) == [sorted(FOUND[text])]


@pytest.mark.parametrize("text", PASSES)
def test_near_misses_pass(spark: SparkSession, text: str) -> None:
    assert kinds(spark, [text]) == [[]]


def test_null_stays_null(spark: SparkSession) -> None:
    frame = spark.createDataFrame([(None,)], "text string")
    assert frame.select(personal_data_in(F.col("text"))).first() == (None,)


def test_the_row_flag_names_kinds_and_the_diagnosis_columns_never_values(spark: SparkSession) -> None:
    frame = spark.createDataFrame(
        [
            ("Ana", "Compra online"),
            ("ana@gmail.com", "pago 529.982.247-25 e 4111 1111 1111 1111"),
            (None, None),
        ],
        "nome string, descricao string",
    )
    columns = ["nome", "descricao"]
    rows = frame.select(personal_data_flag(columns), personal_data_by_column(columns)).collect()
    assert [tuple(row) for row in rows] == [
        (None, ""),
        ("cartao,cpf,email", "nome:email; descricao:cartao,cpf"),
        (None, ""),
    ]
    assert frame.select(personal_data_flag([])).first() == (None,)


def test_source_values_are_judged_by_their_check_digits(spark: SparkSession) -> None:
    frame = spark.createDataFrame(
        [
            ("529.982.247-25", "4111 1111 1111 1111"),
            ("52998224726", "4111111111111112"),
            ("11222333000181", "3782822463100050"),
            (None, None),
        ],
        "doc string, card string",
    )
    rows = frame.select(document_check_digits_valid(F.col("doc")), card_number_valid(F.col("card"))).collect()
    assert [tuple(row) for row in rows] == [(True, True), (False, False), (True, False), (None, None)]


# A plain-Python reading of the same rules, written from the module's docstring, as a second opinion.
def _fits(boundaries: list[int], allowed: tuple[int, ...]) -> bool:
    return all(boundary in allowed for boundary in boundaries)


def oracle(text: str) -> set[str]:
    found = set()
    if re.search(EMAIL_ADDRESS, text):
        found.add("email")
    for token in re.findall(NUMBER_TOKEN, text):
        digits = re.sub("[^0-9]", "", token)
        if token.startswith("+") or len(digits) < 11 or len(digits) in SKIPPED_TOKEN_DIGITS:
            continue
        groups = re.split(f"[{SEPARATOR_CHARS}]+", token)
        for i in range(len(groups)):
            for k in range(1, min(MAX_GROUPS, len(groups) - i) + 1):
                part = groups[i : i + k]
                number = "".join(part)
                boundaries = [sum(len(g) for g in part[:m]) for m in range(1, k)]
                if len(number) == 11 and _fits(boundaries, CPF_BOUNDARIES) and is_valid_cpf(number):
                    found.add("cpf")
                if len(number) == 14 and _fits(boundaries, CNPJ_BOUNDARIES) and is_valid_cnpj(number):
                    found.add("cnpj")
                if (
                    13 <= len(number) <= 19
                    and any(_fits(boundaries, layout) for layout in CARD_LAYOUTS)
                    and len(set(number)) > 1
                    and is_luhn_valid(number)
                ):
                    found.add("cartao")
    return found


def random_text(rng: random.Random) -> str:
    """Digit groups shaped like documents, cards and phones, valid or not, glued by random separators."""
    pieces = []
    for _ in range(rng.randint(1, 3)):
        layout = rng.choice(
            [[3, 3, 3, 2], [2, 3, 3, 4, 2], [4, 4, 4, 4], [4, 6, 5], [2, 5, 4], [11], [14], [16]]
        )
        groups = ["".join(rng.choice("0123456789") for _ in range(size)) for size in layout]
        if rng.random() < 0.5:  # make some of them real
            body = "".join(groups)
            real = rng.choice(["52998224725", "11222333000181", "4111111111111111", "378282246310005"])
            if len(real) == len(body):
                groups, at = [], 0
                for size in layout:
                    groups.append(real[at : at + size])
                    at += size
        separators = [rng.choice([" ", ".", "-", "/", "", " - ", "\u00a0"]) for _ in groups]
        pieces.append("".join(g + s for g, s in zip(groups, separators, strict=True)).strip(" .-/\u00a0"))
        pieces.append(rng.choice([" ", " x ", ", ", "; ", "+"]))
    return "".join(pieces)


def test_spark_agrees_with_a_plain_reading_of_the_rules(spark: SparkSession) -> None:
    rng = random.Random(8)
    texts = [random_text(rng) for _ in range(3000)]
    spark_kinds = kinds(spark, texts)
    disagreements = [(t, k) for t, k in zip(texts, spark_kinds, strict=True) if set(k) != oracle(t)]
    assert not disagreements, disagreements[:5]
    assert sum(bool(k) for k in spark_kinds) > 300  # the sample reaches both sides of the rules

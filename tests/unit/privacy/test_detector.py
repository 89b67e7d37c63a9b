"""The personal-data detector: every everyday form of a raw CPF, CNPJ, card number or e-mail is found, every
near miss passes, and a plain-Python reading of the same rules agrees with the Spark expressions (and with the
leak proof's reading, `tasks.privacy.forms`) on random strings built to sit at the edges."""

from __future__ import annotations

import random
import unicodedata

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
    MAX_GROUPS,
    SKIPPED_LAYOUTS,
    is_valid_alphanumeric_cnpj,
    personal_data_kinds,
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
    "52998224725abc": ["cpf"],
    "x529.982.247-25y": ["cpf"],
    "doc:529.982.247 - 25": ["cpf"],
    "529\u00a0982\u00a0247\u201325": ["cpf"],  # no-break spaces and an en dash, as word processors write them
    # any character that is not a letter or digit separates groups
    "529_982_247_25": ["cpf"],
    "529,982,247,25": ["cpf"],
    "529:982:247;25": ["cpf"],
    "(529)982-247/25": ["cpf"],
    "529\u2009982\u2009247\u201325": ["cpf"],  # thin spaces
    "529\u202f982\u202f247\u201425": ["cpf"],  # narrow no-break spaces, an em dash
    "529\u3000982\u3000247\u301c25": ["cpf"],  # ideographic spaces, a wave dash
    # format characters inside a number are deleted first
    "529\u200b.982.247-25": ["cpf"],
    "5\u00ad29.982.247\u2060-25": ["cpf"],
    "\ufeff529\u200c982\u200d247\u200b25": ["cpf"],
    # digits of other forms and scripts
    "５２９．９８２．２４７－２５": ["cpf"],
    "ＣＰＦ５２９９８２２４７２５": ["cpf"],
    "٥٢٩٫٩٨٢٫٢٤٧-٢٥": ["cpf"],  # Arabic-Indic digits and the Arabic decimal separator
    "۵۲۹۹۸۲۲۴۷۲۵": ["cpf"],  # extended Arabic-Indic
    "५२९.९८२.२४७-२५": ["cpf"],  # Devanagari
    "𝟓𝟐𝟗.𝟗𝟖𝟐.𝟐𝟒𝟕-𝟐𝟓": ["cpf"],  # mathematical bold
    "529.982.247-²⁵": ["cpf"],  # superscript digits (NFKC)
    # neighbours never hide a number: a `+` exempts only the runs starting at its own group
    "+55 529.982.247-25": ["cpf"],
    "+55 52998224725": ["cpf"],
    "tel +55 11 98765-4321 / 529.982.247-25": ["cpf"],
    # glued to other numbers: the old skip of 44-digit tokens let this through
    "529.982.247-25 " + " ".join(["123"] * 11): ["cpf"],
    "23793.38128 60000.000003 00000.000400 1 84340000012345 529.982.247-25": ["cpf"],
    "3524 0112 3456 7800 0190 5500 1000 0000 0110 0000 0019 529.982.247-25": ["cpf"],
    "83640000001-1 33120138000-2 81288462711-6 08013618155-1 529.982.247-25": ["cpf"],
    # CNPJ 11.222.333/0001-81
    "CNPJ 11.222.333/0001-81": ["cnpj"],
    "11222333000181": ["cnpj"],
    "11222333/0001-81": ["cnpj"],
    "11 222 333 0001 81": ["cnpj"],
    "11_222_333_0001_81": ["cnpj"],
    "00190.00009 02819.136005 96628.131317 7 97780000001000 11.222.333/0001-81": ["cnpj"],
    # the alphanumeric CNPJ (Receita Federal's example, 2026)
    "CNPJ 12.ABC.345/01DE-35": ["cnpj"],
    "12ABC34501DE35": ["cnpj"],
    "12 ABC 345 01DE 35": ["cnpj"],
    "12ABC345/01DE-35": ["cnpj"],
    "(12.ABC.345/01DE-35)": ["cnpj"],
    "１２．ＡＢＣ．３４５／０１ＤＥ－３５": ["cnpj"],
    "12.ABC\u200b.345/01DE-35": ["cnpj"],
    # card numbers (Luhn), 13-19 digits
    "4111.1111.1111.1111": ["cartao"],
    "4111 1111 1111 1111": ["cartao"],
    "4111-1111-1111-1111": ["cartao"],
    "4111111111111111": ["cartao"],
    "4111_1111_1111_1111": ["cartao"],
    "４１１１ １１１１ １１１１ １１１１": ["cartao"],
    "cartao 4111/1111/1111/1111 validade 12/28": ["cartao"],
    "4111 1111 1111 1111 12/28": ["cartao"],
    "amex 3782 822463 10005": ["cartao"],
    "diners 3056 930902 5904": ["cartao"],
    "visa antigo 4222222222222": ["cartao"],
    "5500 0000 0000 0004": ["cartao"],
    "6011 0009 9013 9424": ["cartao"],
    "1234 5678 1234 5670": ["cartao"],
    "4111 1111 1111 1111 110": ["cartao"],  # 19 digits, 4-4-4-4-3
    # e-mail addresses, in any script
    "contato: fulano.silva@example.com.br": ["email"],
    "FULANO+tag@Sub.Example.COM": ["email"],
    "joão@exemplo.com.br": ["email"],
    "joão.silva@exemplo.com.br": ["email"],
    "usuário@correio.com": ["email"],
    "user@bücher.de": ["email"],
    "用户@例子.中国": ["email"],
    "ａｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ": ["email"],
    "ana\u200b@gmail.com": ["email"],
    "пользователь@почта.рф": ["email"],
    "उपयोगकर्ता@उदाहरण.भारत": ["email"],  # marks (vowel signs) in every part
    # several kinds in one text
    "529.982.247-25 e ana@gmail.com": ["cpf", "email"],
    "12.ABC.345/01DE-35; 4111 1111 1111 1111": ["cartao", "cnpj"],
}
PASSES = [
    # phone numbers, in any form
    "(11) 98765-4321",
    "+55 11 98765-4321",
    "+5511987654321",
    "+55 (11) 98765-4321",
    "+55\u00a011\u00a098765\u20114321",
    "＋５５ １１ ９８７６５－４３２１",
    "(11)\u202f98765\u20114321",
    "11 98765-4321",
    "11 3456-7890",
    "0800 123 4567",
    "0800\u2009123\u20094567",
    "11987654321",
    # CEP, dates, times, amounts
    "CEP 01310-100",
    "CEP 01310\u2013100",
    "01310100",
    "2024-01-31",
    "31/01/2024 10:00:00",
    "３１/０１/２０２４ １０:００",
    "2026-06-30T12:34:56",
    "R$ 1.234.567,89",
    "R$\u00a099.999.999,99",
    "1234567.89",
    # boleto lines, bar codes, NF-e access keys, utility bill lines: in their printed layouts
    "23793.38128 60000.000003 00000.000400 1 84340000012345",
    "00190.00009 02819.136005 96628.131317 7 97780000001000",
    "00190_00009 02819_136005 96628_131317 7 97780000001000",
    "34191790010104351004791020150008291070026000",
    "3524 0112 3456 7800 0190 5500 1000 0000 0110 0000 0019",
    "3524\u20090112\u20093456\u20097800\u20090190\u20095500\u20091000\u20090000\u20090110\u20090000\u20090019",
    "83640000001-1 33120138000-2 81288462711-6 08013618155-1",
    "836400000011 331201380002 812884627116 080136181551",
    # order ids, protocols, other identifiers
    "PED-2024-0001234567",
    "Pedido 701-1234567-1234567",
    "Protocolo 20240131000123",
    "#A1B2C3D4",
    # masked values, as the pipeline publishes them (documents, cards, both e-mail masks)
    "529XXXXXX25",
    "112XXXXXXXXX81",
    "１１２ＸＸＸＸＸＸＸＸＸ８１",
    "411111XXXXXX1111",
    "an***@***.br",
    "j***@***.com",
    "***@***",
    "ana.*****@*****.com",
    "joao****@****l.com",
    # numbers whose check digits do not verify
    "529.982.247-26",
    "11.222.333/0001-80",
    "12.ABC.345/01DE-36",
    "4111 1111 1111 1112",
    "111.111.111-11",
    "0000 0000 0000 0000",
    # an alphanumeric CNPJ glued to letters or digits is not laid out as one
    "x12ABC34501DE35",
    "12ABC34501DE35Z",
    "912ABC34501DE35",
    # everyday text
    "Compra em supermercado",
    "Compra@loja sem dominio",
    "@usuario no app",
    "",
]


def kinds(spark: SparkSession, texts: list[str]) -> list[list[str]]:
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    return [sorted(row[0]) for row in frame.select(personal_data_in(F.col("text"))).collect()]


def flags(spark: SparkSession, texts: list[str]) -> list[str | None]:
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    return [row[0] for row in frame.select(personal_data_flag(["text"])).collect()]


def test_every_everyday_form_is_found(spark: SparkSession) -> None:
    texts = list(FOUND)
    expected = [sorted(FOUND[text]) for text in texts]
    assert dict(zip(texts, kinds(spark, texts), strict=True)) == dict(zip(texts, expected, strict=True))
    assert [sorted(personal_data_kinds(text)) for text in texts] == expected
    assert flags(spark, texts) == [",".join(kinds) for kinds in expected]  # the row screen lets all through


def test_near_misses_pass(spark: SparkSession) -> None:
    assert {text: k for text, k in zip(PASSES, kinds(spark, PASSES), strict=True) if k} == {}
    assert {text: k for text in PASSES if (k := personal_data_kinds(text))} == {}
    assert flags(spark, PASSES) == [None] * len(PASSES)


def test_null_stays_null(spark: SparkSession) -> None:
    frame = spark.createDataFrame([(None,)], "text string")
    assert frame.select(personal_data_in(F.col("text"))).first() == (None,)


def test_the_row_flag_names_kinds_and_the_diagnosis_columns_never_values(spark: SparkSession) -> None:
    frame = spark.createDataFrame(
        [
            ("Ana", "Compra online"),
            ("ana@gmail.com", "pago 529.982.247-25 e 4111 1111 1111 1111"),
            (None, None),
            ("12", "345.678.901-23"),  # the row joiner is no separator: no number spans two columns
            ("ＣＮＰＪ １２．ＡＢＣ．３４５／０１ＤＥ－３５", "+55 11 98765-4321"),
        ],
        "nome string, descricao string",
    )
    columns = ["nome", "descricao"]
    rows = frame.select(personal_data_flag(columns), personal_data_by_column(columns)).collect()
    assert [tuple(row) for row in rows] == [
        (None, ""),
        ("cartao,cpf,email", "nome:email; descricao:cartao,cpf"),
        (None, ""),
        (None, ""),
        ("cnpj", "nome:cnpj"),
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


def test_the_alphanumeric_cnpj_check_digits() -> None:
    assert is_valid_alphanumeric_cnpj("12ABC34501DE35")  # the Receita Federal's example
    assert is_valid_alphanumeric_cnpj("12.ABC.345/01DE-35")
    assert is_valid_alphanumeric_cnpj("11.222.333/0001-81")  # digits are read the same way
    assert not is_valid_alphanumeric_cnpj("12ABC34501DE36")
    assert not is_valid_alphanumeric_cnpj("12ABC34501DE3A")  # the check digits are digits
    assert not is_valid_alphanumeric_cnpj("12ABC34501DE3")


# --- A plain-Python reading of the same rules, written from the modules' docstrings, as a second opinion ---------


def plain_normalise(text: str) -> str:
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            continue
        value = unicodedata.decimal(ch, None)
        compatible = unicodedata.normalize("NFKC", ch)
        if value is None and len(compatible) == 1:
            value = unicodedata.decimal(compatible, None)
            ch = compatible
        out.append(ch if value is None else str(value))
    return "".join(out)


def is_separator(ch: str) -> bool:
    return ch != "\x01" and unicodedata.category(ch)[0] not in "LN"


def is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def separators_at(text: str, i: int) -> int:
    j = i
    while j < len(text) and is_separator(text[j]):
        j += 1
    return j - i


def plain_tokens(text: str) -> list[list[tuple[str, str]]]:
    """Tokens as lists of (what precedes the group, the group)."""
    tokens, i = [], 0
    while i < len(text):
        start = i
        if (
            text[i] == "+"
            and (n := separators_at(text, i + 1)) <= 2
            and is_digit(text[i + 1 + n : i + 2 + n])
        ):
            i += 1 + n
        elif not is_digit(text[i]):
            i += 1
            continue
        token, before = [], text[start:i]
        while True:
            j = i
            while j < len(text) and is_digit(text[j]):
                j += 1
            token.append((before, text[i:j]))
            n = separators_at(text, j)
            if not 1 <= n <= 3 or not is_digit(text[j + n : j + n + 1]):
                break
            before, i = text[j : j + n], j + n
        tokens.append(token)
        i = j
    return tokens


def _fits(boundaries: list[int], allowed: tuple[int, ...]) -> bool:
    return all(boundary in allowed for boundary in boundaries)


def plain_numbers(text: str) -> set[str]:
    found = set()
    for token in plain_tokens(text):
        groups = [group for _, group in token]
        if tuple(map(len, groups)) in SKIPPED_LAYOUTS:
            continue
        for i in range(len(groups)):
            if "+" in token[i][0]:
                continue
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


def is_word(ch: str, extra: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" or ch in extra


def plain_email(text: str) -> bool:
    for at, ch in enumerate(text):
        if ch != "@" or at == 0 or not is_word(text[at - 1], "._%+-"):
            continue
        i = at + 1
        for _ in range(9):  # labels, each followed by a dot, then a top-level domain of 2+ letters
            j = i
            while j < len(text) and is_word(text[j], "-"):
                j += 1
            if not 1 <= j - i <= 63 or text[j : j + 1] != ".":
                break
            i = j + 1
            tld = text[i : i + 2]
            if (
                len(tld) == 2
                and unicodedata.category(tld[0])[0] == "L"
                and unicodedata.category(tld[1])[0] in "LM"
            ):
                return True
    return False


def alphanumeric_cnpj_verifies(characters: str) -> bool:
    values = [ord(c) - 48 for c in characters]
    for position, weights in (
        (12, (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)),
        (13, (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)),
    ):
        remainder = sum(v * w for v, w in zip(values, weights, strict=False)) % 11
        if values[position] != (0 if remainder < 2 else 11 - remainder):
            return False
    return True


def plain_alphanumeric_cnpj(text: str) -> bool:
    def is_character(ch: str, digits_only: bool) -> bool:
        return is_digit(ch) or (not digits_only and "A" <= ch <= "Z")

    for start in range(len(text)):
        if start and unicodedata.category(text[start - 1])[0] in "LN":
            continue
        i, characters = start, ""
        for size in (2, 3, 3, 4, 2):
            if characters:
                n = separators_at(text, i)
                if n > 3:
                    break
                i += n
            group = text[i : i + size]
            if len(group) < size or not all(
                is_character(c, size == 2 and len(characters) == 12) for c in group
            ):
                break
            characters, i = characters + group, i + size
        else:
            glued = i < len(text) and unicodedata.category(text[i])[0] in "LN"
            verifies = not characters.isdigit() and alphanumeric_cnpj_verifies(characters)
            if verifies and not glued and "XXXXXX" not in characters:
                return True
    return False


def oracle(raw: str) -> set[str]:
    text = plain_normalise(raw)
    found = plain_numbers(text)
    if plain_alphanumeric_cnpj(text):
        found.add("cnpj")
    if plain_email(text):
        found.add("email")
    return found


SEPARATORS = [
    " ",
    ".",
    "-",
    "/",
    "",
    " - ",
    "\u00a0",
    "_",
    ",",
    ":",
    "; ",
    ")",
    " (",
    "\u2009",
    "\u202f",
    "\u2013",
]
FORMAT = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
ZEROS = [
    0x30,
    0x30,
    0x30,
    0xFF10,
    0x660,
    0x6F0,
    0x966,
    0x1D7CE,
]  # ASCII (most), full-width, Arabic, Devanagari...
REAL = ["52998224725", "11222333000181", "4111111111111111", "378282246310005", "12ABC34501DE35"]


def random_text(rng: random.Random) -> str:
    """Digit groups shaped like documents, cards and phones, valid or not, glued by random separators (Unicode
    ones too), in random digit forms, with format characters, `+` signs and addresses around."""
    pieces = []
    for _ in range(rng.randint(1, 3)):
        layout = rng.choice(
            [
                [3, 3, 3, 2],
                [2, 3, 3, 4, 2],
                [4, 4, 4, 4],
                [4, 6, 5],
                [2, 5, 4],
                [11],
                [14],
                [16],
                [2, 9],
                [4] * 11,
            ]
        )
        alphabet = "0123456789" + ("ABCDEX" if rng.random() < 0.2 else "")
        groups = ["".join(rng.choice(alphabet) for _ in range(size)) for size in layout]
        if rng.random() < 0.5:  # make some of them real
            body = "".join(groups)
            real = rng.choice(REAL)
            if len(real) == len(body):
                groups, at = [], 0
                for size in layout:
                    groups.append(real[at : at + size])
                    at += size
        zero = rng.choice(ZEROS)
        groups = ["".join(chr(zero + int(c)) if c.isdigit() else c for c in group) for group in groups]
        separators = [rng.choice(SEPARATORS) for _ in groups]
        text = "".join(g + s for g, s in zip(groups, separators, strict=True)).rstrip(" .-/\u00a0_,:;)(")
        if rng.random() < 0.2:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(FORMAT) + text[at:]
        pieces.append(text)
        pieces.append(
            rng.choice(
                [
                    " ",
                    " x ",
                    ", ",
                    "; ",
                    "+",
                    " +55 ",
                    "+",
                    "\u2009",
                    "_",
                    "X",
                    " ana@x.com.br ",
                    "@",
                    " 用户@例子.中国 ",
                ]
            )
        )
    return "".join(pieces)


def test_spark_agrees_with_a_plain_reading_of_the_rules(spark: SparkSession) -> None:
    rng = random.Random(8)
    texts = [random_text(rng) for _ in range(3000)]
    spark_kinds = kinds(spark, texts)
    disagreements = [(t, k) for t, k in zip(texts, spark_kinds, strict=True) if set(k) != oracle(t)]
    assert not disagreements, disagreements[:5]
    python = [(t, k) for t, k in zip(texts, spark_kinds, strict=True) if set(k) != personal_data_kinds(t)]
    assert not python, python[:5]
    assert sum(bool(k) for k in spark_kinds) > 300  # the sample reaches both sides of the rules
    assert sum(not k for k in spark_kinds) > 300
    assert {kind for k in spark_kinds for kind in k} == {"cpf", "cnpj", "cartao", "email"}

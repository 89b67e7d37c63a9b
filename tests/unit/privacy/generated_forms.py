"""Raw personal data and near misses written in random everyday forms, for the property-based tests.

Every generator takes a `Chooser`: Hypothesis's draws (the Python readings: many examples, shrinking) or a seeded
`random.Random` (the Spark detector: one DataFrame of 100-200 generated texts per Hypothesis example, each text
from its own drawn seed, since a list of that many composite cases overruns Hypothesis's budget per example).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from hypothesis import strategies as st

from tasks.privacy.forms import CARD_LAYOUTS, CNPJ_BOUNDARIES, CPF_BOUNDARIES, normalise

T = TypeVar("T")


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...

    def integer(self, low: int, high: int) -> int: ...


class DrawChooser:
    """Choices drawn by Hypothesis (`st.data()`), so failures shrink."""

    def __init__(self, data: st.DataObject) -> None:
        self._data = data

    def choice(self, options: Sequence[T]) -> T:
        return self._data.draw(st.sampled_from(options))

    def integer(self, low: int, high: int) -> int:
        return self._data.draw(st.integers(low, high))


class SeededChooser:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def choice(self, options: Sequence[T]) -> T:
        return options[self._random.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self._random.randint(low, high)


def _category(*categories: str) -> tuple[str, ...]:
    return tuple(
        chr(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF and unicodedata.category(chr(code)) in categories
    )


UNICODE_SPACES = _category("Zs")
UNICODE_DASHES = _category("Pd")
FORMAT_CHARACTERS = _category("Cf")
# Letters that stay letters once normalised (a few compatibility letters do not: they are not letters to glue).
LETTERS = tuple(ch for ch in _category("Lu", "Ll", "Lo") if unicodedata.category(normalise(ch))[0] == "L")
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
COMMON_SEPARATORS = " .-/_,:;()|*#\u00a0\u2009\u202f\u3000\u2013\u2014\u2011\u2212\u066b\u066c"
COMMON_FORMAT = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Zero of a run of ten decimal digits: ASCII, full-width, Arabic-Indic, extended Arabic-Indic, Devanagari,
# Bengali, Thai, Tibetan, mathematical bold and double-struck.
ZEROS = (0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xF20, 0x1D7CE, 0x1D7D8)
PLUS_SIGNS = ("+", "\uff0b", "\ufe62", "\u207a")  # as written, full-width, small, superscript


def separator(chooser: Chooser) -> str:
    kind = chooser.integer(0, 5)
    if kind == 0:
        return chooser.choice(UNICODE_SPACES)
    if kind == 1:
        return chooser.choice(UNICODE_DASHES)
    return chooser.choice(COMMON_SEPARATORS)


def separators(chooser: Chooser, low: int = 1, high: int = 3) -> str:
    return "".join(separator(chooser) for _ in range(chooser.integer(low, high)))


def format_character(chooser: Chooser) -> str:
    return chooser.choice(FORMAT_CHARACTERS) if chooser.integer(0, 2) == 0 else chooser.choice(COMMON_FORMAT)


def sprinkle(chooser: Chooser, text: str, rate: int = 8) -> str:
    """Format characters here and there (normalisation deletes them, wherever they are)."""
    out = []
    for ch in text:
        out.append(ch)
        if chooser.integer(0, rate) == 0:
            out.append(format_character(chooser))
    return "".join(out)


def write(chooser: Chooser, characters: str, boundaries: Sequence[int], empty_joints: bool = False) -> str:
    """Characters (digits, upper-case letters) in groups cut at `boundaries`, joined by 1-3 separators (0-3 with
    `empty_joints`), in random digit forms (one script, or any per digit), letters maybe full-width."""
    mixed, zero, wide = chooser.integer(0, 3) == 0, chooser.choice(ZEROS), chooser.integer(0, 2) == 0
    out = []
    for i, ch in enumerate(characters):
        if i in boundaries:
            out.append(separators(chooser, 0 if empty_joints else 1))
        if ch.isdigit():
            out.append(chr((chooser.choice(ZEROS) if mixed else zero) + int(ch)))
        else:
            out.append(chr(ord(ch) + 0xFEE0) if wide and "!" <= ch <= "~" else ch)
    return sprinkle(chooser, "".join(out))


def subset(chooser: Chooser, options: Sequence[int]) -> tuple[int, ...]:
    return tuple(option for option in options if chooser.integer(0, 1))


def digits(chooser: Chooser, size: int) -> str:
    return "".join(str(chooser.integer(0, 9)) for _ in range(size))


def _mod11(values: Sequence[int], weights: Sequence[int]) -> int:
    remainder = sum(v * w for v, w in zip(values, weights, strict=False)) % 11
    return 0 if remainder < 2 else 11 - remainder


CNPJ_WEIGHTS = ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))


def with_mod11(base: str, weights: Sequence[Sequence[int]]) -> str:
    for weight in weights:
        base += str(_mod11([ord(c) - 48 for c in base], weight))
    return base


def cpf(chooser: Chooser) -> str:
    while True:
        base = digits(chooser, 9)
        if len(set(base)) > 1:
            return with_mod11(base, (range(10, 1, -1), range(11, 1, -1)))


def cnpj(chooser: Chooser) -> str:
    while True:
        base = digits(chooser, 12)
        if len(set(base)) > 1:
            return with_mod11(base, CNPJ_WEIGHTS)


def alphanumeric_cnpj(chooser: Chooser) -> str:
    while True:
        base = "".join(chooser.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(12))
        if not base.isdigit() and "XXXXXX" not in base:
            return with_mod11(base, CNPJ_WEIGHTS)


def luhn_completed(payload: str) -> str:
    total = 0
    for position, digit in enumerate(reversed(payload)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return payload + str((10 - total % 10) % 10)


def card(chooser: Chooser, length: int | None = None) -> str:
    while True:
        number = luhn_completed(digits(chooser, (length or chooser.integer(13, 19)) - 1))
        if len(set(number)) > 1:
            return number


def letters(chooser: Chooser, low: int = 1, high: int = 5, ascii_only: bool = False) -> str:
    pool = ASCII_LETTERS if ascii_only or chooser.integer(0, 1) else LETTERS
    return "".join(chooser.choice(pool) for _ in range(chooser.integer(low, high)))


def word(chooser: Chooser) -> str:
    return chooser.choice(["CPF", "cpf:", "CNPJ", "doc", "cartão", "Pagamento", "nº", "ref.", "de", "用户"])


@dataclass(frozen=True)
class Case:
    kind: str  # the kind it must be found as ("" for a near miss)
    raw: str  # the value as a source would hold it (for the leak proof)
    text: str  # as written


# --- Raw values in random forms ----------------------------------------------------------------------------------


def number_context(chooser: Chooser, glued_ok: bool) -> tuple[str, str]:
    """Text before and after a number: glued letters (when allowed), words, a `+55` phone prefix, neighbours."""

    def before() -> str:
        kind = chooser.integer(0, 5 if glued_ok else 4)
        if kind == 0:
            return ""
        if kind == 1:
            return word(chooser) + separators(chooser)
        if kind == 2:  # an international prefix: only the runs starting at its own group are exempt
            return chooser.choice(PLUS_SIGNS) + write(chooser, "55", ()) + separators(chooser)
        if kind == 3:  # other numbers in the same token
            return write(chooser, digits(chooser, chooser.integer(1, 3)), ()) + separators(chooser)
        if kind == 4:
            return letters(chooser) + " " + write(chooser, digits(chooser, 2), ()) + separators(chooser)
        return letters(chooser)

    def after() -> str:
        kind = chooser.integer(0, 4 if glued_ok else 3)
        if kind == 0:
            return ""
        if kind == 1:
            return separators(chooser) + word(chooser)
        if kind == 2:  # other numbers in the same token (never one of the skipped layouts: groups of 1-3)
            return "".join(
                separators(chooser) + write(chooser, digits(chooser, chooser.integer(1, 3)), ())
                for _ in range(chooser.integer(1, 12))
            )
        if kind == 3:
            return separators(chooser) + "12/28"
        return letters(chooser)

    return before(), after()


def document_or_card(chooser: Chooser) -> Case:
    kind = chooser.choice(["cpf", "cnpj", "cnpj-alfa", "cartao"])
    if kind == "cpf":
        value, boundaries = cpf(chooser), subset(chooser, CPF_BOUNDARIES)
    elif kind == "cnpj":
        value, boundaries = cnpj(chooser), subset(chooser, CNPJ_BOUNDARIES)
    elif kind == "cnpj-alfa":
        value, boundaries = alphanumeric_cnpj(chooser), subset(chooser, CNPJ_BOUNDARIES)
    else:
        value = card(chooser)
        boundaries = subset(chooser, [b for b in chooser.choice(CARD_LAYOUTS) if b < len(value)])
    before, after = number_context(chooser, glued_ok=kind != "cnpj-alfa")
    return Case(kind.removesuffix("-alfa"), value, before + write(chooser, value, boundaries) + after)


def email(chooser: Chooser) -> Case:
    ascii_only = chooser.integer(0, 1) == 0

    def part(low: int, high: int, extra: str) -> str:
        text = letters(chooser, 1, 2, ascii_only)
        for _ in range(chooser.integer(low, high)):
            text += (
                chooser.choice(extra) if chooser.integer(0, 5) == 0 else letters(chooser, 1, 1, ascii_only)
            )
        return text + letters(chooser, 1, 1, ascii_only)

    labels = [part(0, 8, "-0123456789") for _ in range(chooser.integer(1, 3))]
    tld = letters(chooser, 2, 6, ascii_only)
    address = f"{part(0, 12, '._+-0123456789')}@{'.'.join(labels)}.{tld}"
    written = address
    if chooser.integer(0, 2) == 0:  # full-width
        written = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in written)
    written = sprinkle(chooser, written, 10)
    before = chooser.choice(["", "contato: ", "de ", "<", "e-mail:", "x"])
    after = chooser.choice(["", " ", ">", ", obrigado", "; ", ". "])
    return Case("email", address, before + written + after)


def personal_data(chooser: Chooser) -> Case:
    return email(chooser) if chooser.integer(0, 4) == 0 else document_or_card(chooser)


# --- Near misses ------------------------------------------------------------------------------------------------


def phone(chooser: Chooser) -> str:
    area, first, last = str(chooser.integer(11, 99)), "9" + digits(chooser, 4), digits(chooser, 4)
    if chooser.integer(0, 3) == 0:  # a landline: 10 digits
        first = str(chooser.integer(2, 5)) + digits(chooser, 3)
    form = chooser.integer(0, 3)
    if form == 0:  # (11) 98765-4321, 11 98765-4321: never one run of 11 digits
        joints = chooser.choice([(True, False), (False, True), (True, True)])
        return (
            chooser.choice(["", "(", "Tel: ", "fone "])
            + write(chooser, area, ())
            + (separators(chooser) if joints[0] else "")
            + write(chooser, first, ())
            + (separators(chooser) if joints[1] else "")
            + write(chooser, last, ())
        )
    if form == 1:  # +55 11 98765-4321, +55 (11) 98765-4321, +5511987654321
        glued = chooser.integer(0, 1) == 0
        inner = chooser.choice([(True, False), (False, True), (True, True)])
        return (
            chooser.choice(PLUS_SIGNS)
            + separators(chooser, 0, 2)
            + write(chooser, "55", ())
            + ("" if glued else separators(chooser))
            + write(chooser, area, ())
            + (separators(chooser) if inner[0] else "")
            + write(chooser, first, ())
            + (separators(chooser) if inner[1] else "")
            + write(chooser, last, ())
        )
    if form == 2:  # 0800 123 4567
        prefix = chooser.choice(["0800", "0300", "4004"])
        return write(chooser, prefix + digits(chooser, 7), chooser.choice([(4,), (7,), (4, 7)]))
    return chooser.choice(PLUS_SIGNS) + write(chooser, "55" + area + first + last, ())  # one flagged group


def near_miss(chooser: Chooser) -> str:
    kind = chooser.integer(0, 12)
    if kind <= 1:
        return phone(chooser)
    if kind == 2:  # CEP
        return chooser.choice(["", "CEP "]) + write(chooser, digits(chooser, 8), (5,), empty_joints=True)
    if kind == 3:  # dates and times
        date = f"{chooser.integer(1, 28):02d}{chooser.integer(1, 12):02d}{chooser.integer(1990, 2039)}"
        time = f"{chooser.integer(0, 23):02d}{chooser.integer(0, 59):02d}{chooser.integer(0, 59):02d}"
        return write(chooser, (date + time)[: chooser.choice([8, 12, 14])], (2, 4, 8, 10, 12))
    if kind == 4:  # amounts below R$ 100 million: at most 10 digits
        integer = str(chooser.integer(0, 99_999_999))
        groups = [integer[max(0, i - 3) : i] for i in range(len(integer), 0, -3)][::-1]
        boundaries = tuple(sum(len(g) for g in groups[:m]) for m in range(1, len(groups))) + (len(integer),)
        return chooser.choice(["R$ ", "R$\u00a0", ""]) + write(
            chooser, integer + digits(chooser, 2), boundaries, empty_joints=True
        )
    if kind == 5:  # boleto line, NF-e key, utility bill line: in their printed layouts
        layout = chooser.choice([(5, 5, 5, 6, 5, 6, 1, 14), (4,) * 11, (11, 1) * 4, (12,) * 4])
        boundaries = tuple(sum(layout[:m]) for m in range(1, len(layout)))
        return chooser.choice(["", "Linha digitável: ", "Chave "]) + write(
            chooser, digits(chooser, sum(layout)), boundaries
        )
    if kind == 6:  # bar code
        return write(chooser, digits(chooser, 44), ())
    if kind == 7:  # masked values, as the pipeline publishes them
        masked = chooser.choice(
            [
                digits(chooser, 3) + "X" * 6 + digits(chooser, 2),
                digits(chooser, 3) + "X" * 9 + digits(chooser, 2),
                digits(chooser, 6) + "X" * 6 + digits(chooser, 4),
            ]
        )
        return write(chooser, masked, ())
    if kind == 8:  # masked e-mails, the new mask and the old one
        user = letters(chooser, 0, 2, ascii_only=True)
        tld = chooser.choice(["", ".br", ".com", ".org"])
        return sprinkle(
            chooser, chooser.choice([f"{user}***@***{tld}", f"{user}.*****@*****{tld or '.com'}"])
        )
    if kind == 9:  # order ids
        return chooser.choice(
            [
                "PED"
                + separators(chooser)
                + write(chooser, f"{chooser.integer(2000, 2039)}{digits(chooser, 6)}", (4,)),
                "Pedido " + write(chooser, digits(chooser, 17), (3, 10)),
            ]
        )
    if kind == 10:  # documents whose check digits fail, in layouts no card shares
        value, boundaries = chooser.choice(
            [
                (cpf(chooser), subset(chooser, CPF_BOUNDARIES)),
                (cnpj(chooser), (chooser.choice([2, 5]), *subset(chooser, CNPJ_BOUNDARIES))),
                (alphanumeric_cnpj(chooser), subset(chooser, CNPJ_BOUNDARIES)),
            ]
        )
        return write(chooser, value[:-1] + str((int(value[-1]) + chooser.integer(1, 9)) % 10), boundaries)
    if kind == 11:  # cards failing Luhn (16 digits: no shorter run inside is laid out as a number)
        value = card(chooser, 16)
        return write(
            chooser,
            value[:-1] + str((int(value[-1]) + chooser.integer(1, 9)) % 10),
            subset(chooser, (4, 8, 12)),
        )
    return chooser.choice(
        ["Compra em supermercado", "Compra@loja sem dominio", "@usuario no app", "PIX recebido"]
    )

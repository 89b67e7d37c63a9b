"""How raw personal data is written: the shapes both privacy nets look for, declared once.

The detector (`tasks.privacy.detector`, Spark) and the leak proof (`tasks.privacy.fingerprints`, Python) read
the same forms, on the same normalised text:

1. Normalisation, one character at a time (`normalise` here, `F.translate` in Spark, from one table built at
   import from Python's `unicodedata`): every decimal digit of any script (full-width, Arabic-Indic, Devanagari,
   mathematical...) becomes its ASCII digit; every other character whose NFKC compatibility form is one
   different character becomes that character (full-width letters, `＠`, `．`, superscript digits, no-break
   and other compatibility spaces); format characters (category Cf: zero-width spaces and joiners, word joiner,
   byte order mark, soft hyphen...) are deleted.
2. A number is digit groups joined by separators: one to MAX_SEPARATORS characters that are not letters or
   digits (any punctuation, space or symbol, in any script; never the row joiner of `personal_data_flag`), at
   the positions of its layout. Any run of up to MAX_GROUPS consecutive groups of a token is a candidate, so a
   document next to other numbers (`4111 1111 1111 1111 12/28`, `+55 529.982.247-25`) is still seen, while one
   run of raw digits is never cut. Two exceptions, neither hiding its neighbours: the runs that start at a
   group written right after a `+` (an international phone number, `+5511987654321`), and a token whose
   groups are laid out exactly as an NF-e access key, a boleto line or a utility bill line (SKIPPED_LAYOUTS).
3. The alphanumeric CNPJ (Receita Federal, July 2026): 12 characters among 0-9 and A-Z then two numeric check
   digits, in the CNPJ's groups 2.3.3/4-2 (any separators, or none), not glued to other letters or digits.
4. An e-mail address: letters, marks and digits of any script in the user part and the domain, a top-level
   domain of two or more letters.

Each regular expression is written once per engine from the same character sets (Java for Spark, Python's
`re`, RE2 for pyarrow's first pass), from Python's `unicodedata`; Java's classes name general categories
(`\\p{L}`, short patterns) plus the characters Java's older Unicode lacks (`_JAVA_LACKS`), and a test compares
both engines on every code point.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Found(StrEnum):
    """Kinds of raw personal data the detector names (never the value itself)."""

    CPF = "cpf"
    CNPJ = "cnpj"
    CARD = "cartao"
    EMAIL = "email"


ROW_JOINER = "\u0001"  # joins a row's columns in `personal_data_flag`: neither a digit nor a separator
MAX_SEPARATORS = 3  # separator characters between two groups of one token
MAX_GROUPS = 5  # the most groups any layout has (CNPJ 2.3.3/4-2, card 4 4 4 4 3)

CPF_DIGITS, CNPJ_DIGITS = 11, 14
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
CPF_BOUNDARIES = (3, 6, 9)
CNPJ_BOUNDARIES = (2, 5, 8, 12)
CARD_LAYOUTS = ((4, 8, 12, 16), (4, 10))
CPF_WEIGHTS_1 = tuple(range(10, 1, -1))
CPF_WEIGHTS_2 = tuple(range(11, 1, -1))
CNPJ_WEIGHTS_1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
CNPJ_WEIGHTS_2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
ALPHANUMERIC_CNPJ_GROUPS = (2, 3, 3, 4, 2)
# How the pipeline masks a document (`112XXXXXXXXX81`): a run of X no real alphanumeric CNPJ has.
MASK_RUN = "XXXXXX"
# Printed layouts (digits per group) of numbers that are never one document: a token laid out exactly so is
# skipped whole. Anything else, these numbers glued to others included, is judged run by run.
NFE_KEY = (4,) * 11  # NF-e, CT-e, MDF-e access key (44 digits)
BOLETO_LINE = (5, 5, 5, 6, 5, 6, 1, 14)  # boleto bancário, linha digitável (47 digits)
UTILITY_BILL_LINES = ((11, 1) * 4, (12,) * 4)  # arrecadação (concessionárias, tributos), 48 digits
SKIPPED_LAYOUTS = frozenset({NFE_KEY, BOLETO_LINE, *UTILITY_BILL_LINES})
# The same as one pattern over a token (digit groups and the separators between them, maybe a leading `+`).
SKIPPED_LAYOUT = "^[^0-9]*(?:{})$".format(
    "|".join("[^0-9]+".join(f"[0-9]{{{size}}}" for size in layout) for layout in sorted(SKIPPED_LAYOUTS))
)


_RUN_START = rf"(?<![0-9])(?<!\+[^0-9]{{0,{MAX_SEPARATORS - 1}}})"  # a group's start, not right after a `+`


LAYOUTS = (  # the layouts of `layout_fits`: digits per group, (fewest, most), a separator optional between
    ((3, 3), (3, 3), (3, 3), (2, 2)),  # CPF: boundaries among 3, 6, 9
    ((2, 2), (3, 3), (3, 3), (4, 4), (2, 2)),  # CNPJ: among 2, 5, 8, 12
    ((4, 4), (4, 4), (4, 4), (1, 4)),  # card: among 4, 8, 12, 16, 13-16 digits
    ((4, 4), (4, 4), (4, 4), (4, 4), (1, 3)),  # 17-19 digits
    ((4, 4), (6, 6), (3, 9)),  # card: among 4, 10
)
_BETWEEN_GROUPS = "[^0-9]+"  # inside a token, whatever is not a digit separates groups
_BETWEEN_GROUPS_ASCII = (
    rf"[^0-9A-Za-z\x01]{{1,{MAX_SEPARATORS}}}"  # in a text: more than any engine's separators
)


def _layout_body(groups: Sequence[tuple[int, int]], separators: str = _BETWEEN_GROUPS) -> str:
    """Whole groups laid out so, a separator optional at each boundary."""
    return f"(?:{separators})?".join(f"[0-9]{{{low},{high}}}" for low, high in groups)


_CPF_BODY, _CNPJ_BODY, *_CARD_BODIES = (_layout_body(layout) for layout in LAYOUTS)


def _layout_run(body: str) -> str:
    """Every run of a token laid out so, as group 1 (zero-width matches: overlapping runs included)."""
    return f"{_RUN_START}(?=({body})(?![0-9]))"


# The layouts of `layout_fits` as patterns over a token (Spark reads a token's runs with them; the Python
# reading walks the groups, `number_runs`): any run of whole groups laid out as some document or card is,
# then each kind's runs.
ANY_LAYOUT_RUN = f"{_RUN_START}(?:{'|'.join([_CPF_BODY, _CNPJ_BODY, *_CARD_BODIES])})(?![0-9])"
CPF_RUN = _layout_run(_CPF_BODY)
CNPJ_RUN = _layout_run(_CNPJ_BODY)
CARD_RUNS = tuple(_layout_run(body) for body in _CARD_BODIES)

Ranges = tuple[tuple[int, int], ...]
_LAST = 0x10FFFF
_SURROGATES = (0xD800, 0xDFFF)
# Every code point Unicode assigns outside private use lies in planes 0-3 and 14 (planes 4-13 are unassigned,
# 15-16 private use): only those are read (tests/unit/privacy/test_normalisation.py checks the rest).
_ASSIGNED_PLANES = (range(0, 0x40000), range(0xE0000, 0xF0000))


@dataclass(frozen=True)
class _CharacterSets:
    normalisation: dict[int, str | None]  # for str.translate: code point -> one character, or None (deleted)
    letters_digits: Ranges  # general category L or N (what str.isalnum() and Python's \w hold, but `_`)
    word: Ranges  # L, M or N: the characters of an e-mail address's words
    letters: Ranges  # L
    letters_marks: Ranges  # L or M


def _to_ranges(codes: Iterable[int]) -> Ranges:
    """Sorted code points -> inclusive ranges."""
    out: list[tuple[int, int]] = []
    for code in codes:
        if out and out[-1][1] == code - 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return tuple(out)


def _union(ranges: Ranges, codes: Iterable[int]) -> Ranges:
    return _to_ranges(sorted({code for low, high in ranges for code in range(low, high + 1)} | set(codes)))


def _complement(ranges: Ranges) -> Ranges:
    out, start = [], 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= _LAST:
        out.append((start, _LAST))
    return tuple(out)


def _read_unicode() -> _CharacterSets:
    category, decimal, nfkc = unicodedata.category, unicodedata.decimal, unicodedata.normalize
    table: dict[int, str | None] = {}
    sets: dict[str, list[int]] = {"LN": [], "LMN": [], "L": [], "LM": []}
    for plane in _ASSIGNED_PLANES:
        for code in plane:
            if _SURROGATES[0] <= code <= _SURROGATES[1]:
                continue
            character = chr(code)
            kind = category(character)
            major = kind[0]
            if major in "LMN":
                sets["LMN"].append(code)
                if major != "M":
                    sets["LN"].append(code)
                if major != "N":
                    sets["LM"].append(code)
                if major == "L":
                    sets["L"].append(code)
            if code < 0x80 or kind in ("Cn", "Co"):
                continue
            if kind == "Cf":
                table[code] = None
                continue
            value = decimal(character, None)
            if value is None:
                compatible = nfkc("NFKC", character)
                if len(compatible) != 1 or compatible == character:
                    continue
                value = decimal(compatible, None)
                table[code] = compatible if value is None else str(value)
            else:
                table[code] = str(value)
    return _CharacterSets(
        normalisation=table,
        letters_digits=_to_ranges(sets["LN"]),
        word=_to_ranges(sets["LMN"]),
        letters=_to_ranges(sets["L"]),
        letters_marks=_to_ranges(sets["LM"]),
    )


_SETS = _read_unicode()
NORMALISATION = _SETS.normalisation
# The same table for Spark's `translate`: the characters to map, then those to delete (no replacement).
NORMALISED_FROM = "".join(
    [chr(code) for code, target in NORMALISATION.items() if target is not None]
    + [chr(code) for code, target in NORMALISATION.items() if target is None]
)
NORMALISED_TO = "".join(target for target in NORMALISATION.values() if target is not None)


def normalise(text: str) -> str:
    """The text as both nets read it: digits of any script in ASCII, single-character compatibility forms
    replaced, format characters deleted. Character by character, so a substring normalises to a substring."""
    return text if text.isascii() else text.translate(NORMALISATION)


def _codes_mapped_to(targets: str) -> list[int]:
    return [code for code, target in NORMALISATION.items() if target is not None and target in targets]


_ASCII_DIGITS = "0123456789"
_ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Separators: everything but letters, digits, the row joiner and the surrogates (never in a valid string).
_SEPARATORS = _complement(
    _union(_SETS.letters_digits, [ord(ROW_JOINER), *range(_SURROGATES[0], _SURROGATES[1] + 1)])
)
_USER_CHARACTERS = _union(_SETS.word, map(ord, "._%+-"))
_DOMAIN_CHARACTERS = _union(_SETS.word, [ord("-")])
_FORMAT_CHARACTERS = _to_ranges(code for code, target in NORMALISATION.items() if target is None)
_NEEDS_NORMALISING = _to_ranges(sorted(NORMALISATION))
# Raw characters that normalise to a digit, to `@`, to a letter or digit of an alphanumeric CNPJ.
_DIGIT_LIKE = _to_ranges(sorted({*map(ord, _ASCII_DIGITS), *_codes_mapped_to(_ASCII_DIGITS)}))
_AT_LIKE = _to_ranges(sorted({ord("@"), *_codes_mapped_to("@")}))
_CNPJ_CHARACTER_LIKE = _to_ranges(
    sorted(
        {
            *map(ord, _ASCII_DIGITS + _ASCII_UPPER + _ASCII_UPPER.lower()),
            *_codes_mapped_to(_ASCII_DIGITS + _ASCII_UPPER + _ASCII_UPPER.lower()),
        }
    )
)


# --- One character set, written for each engine ---------------------------------------------------------------


def _java_code(code: int) -> str:
    # Supplementary characters are written as themselves: a pattern holding one makes Java step over surrogate
    # pairs in look-behinds (with only \x{...} escapes, `(?<![...])` would test half of a pair).
    return chr(code) if code > 0xFFFF else f"\\u{code:04X}"


def _java_range(low: int, high: int) -> str:
    return _java_code(low) if low == high else f"{_java_code(low)}-{_java_code(high)}"


_JAVA_LEAF = 12


def _java_tree(ranges: Ranges) -> str:
    """A balanced tree of intersections: Java tests a class's ranges one after another, so hundreds of them
    would cost hundreds of tests per character; bounded halves cost a few dozen."""
    if len(ranges) <= _JAVA_LEAF:
        return "".join(_java_range(low, high) for low, high in ranges)
    left, right = ranges[: len(ranges) // 2], ranges[len(ranges) // 2 :]
    return "".join(
        f"[{_java_range(half[0][0], half[-1][1])}&&[{_java_tree(half)}]]" for half in (left, right)
    )


def java_class(ranges: Ranges) -> str:
    """A Java character class of these ranges: ASCII first (the common case costs a few tests), then the tree."""
    low = "".join(_java_range(a, min(b, 0x7F)) for a, b in ranges if a <= 0x7F)
    high = tuple((max(a, 0x80), b) for a, b in ranges if b >= 0x80)
    tree = f"[{_java_range(0x80, _LAST)}&&[{_java_tree(high)}]]" if high else ""
    return f"[{low}{tree}]"


# Letters (L), marks (M) and digits (N) of Python's Unicode (3.11: 14.0) that Java 17's (13.0) does not assign: listed
# in Java's classes, so that both engines read every character alike. tests/unit/privacy/test_normalisation.py
# compares every code point; a JVM or Python of another Unicode version fails there, naming what to list here.
_JAVA_LACKS: dict[str, Ranges] = {
    "L": (
        (0x00870, 0x00887),
        (0x00889, 0x0088E),
        (0x008B5, 0x008B5),
        (0x008C8, 0x008C9),
        (0x00C5D, 0x00C5D),
        (0x00CDD, 0x00CDD),
        (0x0170D, 0x0170D),
        (0x0171F, 0x0171F),
        (0x01B4C, 0x01B4C),
        (0x02C2F, 0x02C2F),
        (0x02C5F, 0x02C5F),
        (0x09FFD, 0x09FFF),
        (0x0A7C0, 0x0A7C1),
        (0x0A7D0, 0x0A7D1),
        (0x0A7D3, 0x0A7D3),
        (0x0A7D5, 0x0A7D9),
        (0x0A7F2, 0x0A7F4),
        (0x10570, 0x1057A),
        (0x1057C, 0x1058A),
        (0x1058C, 0x10592),
        (0x10594, 0x10595),
        (0x10597, 0x105A1),
        (0x105A3, 0x105B1),
        (0x105B3, 0x105B9),
        (0x105BB, 0x105BC),
        (0x10780, 0x10785),
        (0x10787, 0x107B0),
        (0x107B2, 0x107BA),
        (0x10F70, 0x10F81),
        (0x11071, 0x11072),
        (0x11075, 0x11075),
        (0x11740, 0x11746),
        (0x11AB0, 0x11ABF),
        (0x12F90, 0x12FF0),
        (0x16A70, 0x16ABE),
        (0x1AFF0, 0x1AFF3),
        (0x1AFF5, 0x1AFFB),
        (0x1AFFD, 0x1AFFE),
        (0x1B11F, 0x1B122),
        (0x1DF00, 0x1DF1E),
        (0x1E290, 0x1E2AD),
        (0x1E7E0, 0x1E7E6),
        (0x1E7E8, 0x1E7EB),
        (0x1E7ED, 0x1E7EE),
        (0x1E7F0, 0x1E7FE),
        (0x2A6DE, 0x2A6DF),
        (0x2B735, 0x2B738),
    ),
    "M": (
        (0x00898, 0x0089F),
        (0x008CA, 0x008D2),
        (0x00C3C, 0x00C3C),
        (0x01715, 0x01715),
        (0x0180F, 0x0180F),
        (0x01AC1, 0x01ACE),
        (0x01DFA, 0x01DFA),
        (0x10F82, 0x10F85),
        (0x11070, 0x11070),
        (0x11073, 0x11074),
        (0x110C2, 0x110C2),
        (0x1CF00, 0x1CF2D),
        (0x1CF30, 0x1CF46),
        (0x1E2AE, 0x1E2AE),
    ),
    "N": ((0x16AC0, 0x16AC9),),
}


def java_property_class(categories: str, extra: str = "", negated: bool = False) -> str:
    """A Java class of these general categories (`LN`: letters and digits) and `extra`: Java's own property
    classes, plus what its Unicode lacks. It also holds one supplementary letter written as itself (U+20000,
    already a letter): a pattern holding one makes Java step over surrogate pairs in look-behinds, which would
    otherwise test half of a pair."""
    properties = "".join(f"\\p{{{category}}}" for category in categories)
    lacks = "".join(_java_range(low, high) for category in categories for low, high in _JAVA_LACKS[category])
    return f"[{'^' if negated else ''}{properties}{lacks}{extra}\U00020000]"


def _python_code(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def python_class(ranges: Ranges) -> str:
    return (
        "["
        + "".join(
            _python_code(low) if low == high else f"{_python_code(low)}-{_python_code(high)}"
            for low, high in ranges
        )
        + "]"
    )


def re2_class(ranges: Ranges) -> str:
    def code(value: int) -> str:
        return f"\\x{{{value:x}}}"

    return (
        "[" + "".join(code(low) if low == high else f"{code(low)}-{code(high)}" for low, high in ranges) + "]"
    )


# --- The shapes, over normalised text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shapes:
    """The regular expressions of one engine, all over normalised text."""

    separator: str  # one separator character
    letter_or_digit: str
    token: str  # digit groups joined by separators; a leading `+` (and up to two separators) kept
    enough_digits: str  # 11 digits at most MAX_SEPARATORS separators apart: no number holds fewer
    email: str  # the `@` first (a text is tried at its `@`s only), then a look back at the user part
    email_user: str  # one character of a user part
    alphanumeric_cnpj: str  # zero-width, group 1 the candidate: every start is tried, matches may overlap


def _shapes(
    separator: str, letter_or_digit: str, user: str, domain: str, tld_first: str, tld_rest: str
) -> Shapes:
    sep = f"(?:{separator})"
    # Separators are never digits nor letters: no match needs backtracking into them (possessive runs).
    token = rf"(?:\+{sep}{{0,{MAX_SEPARATORS - 1}}}+)?[0-9]++(?:{sep}{{1,{MAX_SEPARATORS}}}+[0-9]++)*+"
    enough = rf"[0-9](?:{sep}{{0,{MAX_SEPARATORS}}}+[0-9]){{{CPF_DIGITS - 1}}}"
    # Bounded parts (RFC 5321 limits): linear time whatever the text.
    email = rf"@(?<={user}@)(?:{domain}{{1,63}}\.){{1,9}}{tld_first}{tld_rest}{{1,62}}"
    joint = rf"(?:{sep}{{1,{MAX_SEPARATORS}}}+)?+"
    *body, checks = ALPHANUMERIC_CNPJ_GROUPS
    core = joint.join([*(f"[0-9A-Z]{{{size}}}" for size in body), f"[0-9]{{{checks}}}"])
    # The look-ahead first: most positions fail its first class at once, before the costlier look-behind.
    alphanumeric = rf"(?=({core})(?!{letter_or_digit}))(?<!{letter_or_digit})"
    return Shapes(
        separator=separator,
        letter_or_digit=letter_or_digit,
        token=token,
        enough_digits=enough,
        email=email,
        email_user=user,
        alphanumeric_cnpj=alphanumeric,
    )


# Java's Unicode property classes name the same general categories: short patterns, where ranges written out
# from Python's table would put about 100 KB of literals into every plan, task and event log that holds them.
JAVA = _shapes(
    java_property_class("LN", r"\x01\uD800-\uDFFF", negated=True),
    java_property_class("LN"),
    java_property_class("LMN", r"._%+\-"),
    java_property_class("LMN", r"\-"),
    java_property_class("L"),
    java_property_class("LM"),
)
# Python's \w is exactly letters, digits (general categories L, N) and `_`: the fast built-in class, the same set.
PYTHON = _shapes(
    r"[^\w\x01\ud800-\udfff]|_",
    r"[^\W_]",
    python_class(_USER_CHARACTERS),
    python_class(_DOMAIN_CHARACTERS),
    python_class(_SETS.letters),
    python_class(_SETS.letters_marks),
)
# Spark's normalisation is skipped for rows holding no character it changes (most rows).
JAVA_NEEDS_NORMALISING = java_class(_NEEDS_NORMALISING)

# Cheap first tests of a normalised text (Java, for Spark; small ASCII patterns), each true for every text
# holding something of its kind the rules may find. Only texts a screen lets through are read by the rules
# (Spark interprets the numbers' row by row); phone numbers, CEPs, dates, amounts and order ids fail them.
_SCREEN_GAP = rf"[^0-9A-Za-z\x01]{{0,{MAX_SEPARATORS}}}"
# Some run of digit groups laid out as a document or card, not glued to other digits: after its first digit,
# a look back (not after a digit), then the rest of each layout.
_NUMBER_AFTER_FIRST_DIGIT = "(?<![0-9]{{2}})(?:{})(?![0-9])".format(
    "|".join(
        _layout_body([(layout[0][0] - 1, layout[0][1] - 1), *layout[1:]], _BETWEEN_GROUPS_ASCII)
        for layout in LAYOUTS
    )
)
# The groups of an alphanumeric CNPJ, not glued, not the pipeline's mask (`112XXXXXXXXX81`), found from its
# check digits back: after the first check digit, the second, then a look back over the groups.
_ALPHANUMERIC_CNPJ_AFTER_FIRST_DIGIT = (
    "[0-9](?![0-9A-Za-z])(?<=(?<![0-9A-Za-z])(?![0-9A-Z]{{0,8}}{}){})".format(
        MASK_RUN,
        _SCREEN_GAP.join([f"[0-9A-Z]{{{size}}}" for size in ALPHANUMERIC_CNPJ_GROUPS[:-1]] + ["[0-9]{2}"]),
    )
)
NUMBER_SCREEN = f"[0-9]{_NUMBER_AFTER_FIRST_DIGIT}"
ALPHANUMERIC_CNPJ_SCREEN = f"[0-9]{_ALPHANUMERIC_CNPJ_AFTER_FIRST_DIGIT}"
# Both in one pass (every position but a digit fails at once): the first test of every row.
DOCUMENT_SCREEN = f"[0-9](?:{_NUMBER_AFTER_FIRST_DIGIT}|{_ALPHANUMERIC_CNPJ_AFTER_FIRST_DIGIT})"
# An `@` between characters an address may have there.
EMAIL_SCREEN = r"@(?<=[^\x00-\x20*@]@)[^\x00-\x20*@.]"


# --- First passes over raw text (RE2, pyarrow): never narrower than what normalisation lets the rules find -------

_RE2_FORMAT = re2_class(_FORMAT_CHARACTERS)
_RE2_GAP = rf"{_RE2_FORMAT}*(?:[^0-9A-Za-z\x01]{_RE2_FORMAT}*){{0,{MAX_SEPARATORS}}}"


def _re2_run(character: str, size: int) -> str:
    return f"{character}(?:{_RE2_FORMAT}*{character}){{{size - 1}}}" if size > 1 else character


# RE2, over ASCII text (which normalisation leaves as it is): some run laid out as a document or card.
ASCII_LAYOUT_SCREEN = "(?:^|[^0-9])(?:{})(?:[^0-9]|$)".format(
    "|".join(_layout_body(layout, _BETWEEN_GROUPS_ASCII) for layout in LAYOUTS)
)


def raw_digits_screen(digits: int) -> str:
    """RE2: `digits` characters that normalise to digits, each pair at most MAX_SEPARATORS characters apart
    (not counting deleted format characters)."""
    return rf"{re2_class(_DIGIT_LIKE)}(?:{_RE2_GAP}{re2_class(_DIGIT_LIKE)}){{{digits - 1}}}"


RAW_EMAIL_SCREEN = (  # RE2: an `@` (in any form) between two characters an address may have there
    rf"[^\x00-\x20*@]{_RE2_FORMAT}*{re2_class(_AT_LIKE)}{_RE2_FORMAT}*[^\x00-\x20*@.]"
)
RAW_ALPHANUMERIC_CNPJ_SCREEN = _RE2_GAP.join(  # RE2: the groups of an alphanumeric CNPJ, letters in any case
    [_re2_run(re2_class(_CNPJ_CHARACTER_LIKE), size) for size in ALPHANUMERIC_CNPJ_GROUPS[:-1]]
    + [_re2_run(re2_class(_DIGIT_LIKE), ALPHANUMERIC_CNPJ_GROUPS[-1])]
)


# --- The Python reading ------------------------------------------------------------------------------------------

_TOKEN = re.compile(PYTHON.token)
_GROUP = re.compile(r"([^0-9]*)([0-9]+)")
_EMAIL = re.compile(PYTHON.email)
_USER_PART = re.compile(f"{PYTHON.email_user}{{1,64}}$")
_ALPHANUMERIC_CNPJ = re.compile(PYTHON.alphanumeric_cnpj)
_ALPHANUMERIC_CNPJ_ANY_CASE = re.compile(PYTHON.alphanumeric_cnpj.replace("[0-9A-Z]", "[0-9A-Za-z]"))
_NOT_CNPJ_CHARACTER = re.compile("[^0-9A-Za-z]")
_ALPHANUMERIC_CNPJ_FORM = re.compile(r"[0-9A-Z]{12}[0-9]{2}")


def fits(boundaries: Sequence[int], allowed: Sequence[int]) -> bool:
    return all(boundary in allowed for boundary in boundaries)


def layout_fits(length: int, boundaries: Sequence[int]) -> bool:
    """Whether digits of this length, grouped at these boundaries, are written as some document or card is."""
    if length == CPF_DIGITS and fits(boundaries, CPF_BOUNDARIES):
        return True
    if length == CNPJ_DIGITS and fits(boundaries, CNPJ_BOUNDARIES):
        return True
    return CARD_MIN_DIGITS <= length <= CARD_MAX_DIGITS and any(
        fits(boundaries, layout) for layout in CARD_LAYOUTS
    )


def number_runs(normalised: str) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Every candidate run of a normalised text, 11 to 19 digits long: its digits and group boundaries."""
    for token in _TOKEN.findall(normalised):
        if len(token) < CPF_DIGITS:
            continue
        parts = _GROUP.findall(token)  # (the separators before a group, the group)
        layout = tuple(len(group) for _, group in parts)
        if sum(layout) < CPF_DIGITS or layout in SKIPPED_LAYOUTS:
            continue
        groups = [group for _, group in parts]
        for start, (before, _) in enumerate(parts):
            if "+" in before:  # an international phone number starts here: runs starting later are judged
                continue
            length, boundaries = 0, []
            for group in groups[start : start + MAX_GROUPS]:
                if length:
                    boundaries.append(length)
                length += len(group)
                if length > CARD_MAX_DIGITS:
                    break
                if length >= CPF_DIGITS:
                    yield "".join(groups[start : start + len(boundaries) + 1]), tuple(boundaries)


def written_numbers(
    text: str, lengths: Sequence[int] | None = None, *, normalised: bool = False
) -> Iterator[str]:
    """Every candidate number of a text, normalised first (`normalise`; `normalised=True` says it already
    is), as ASCII digits only, laid out as some document or card is (and of one of `lengths`, when given)."""
    for digits, boundaries in number_runs(text if normalised else normalise(text)):
        if (lengths is None or len(digits) in lengths) and layout_fits(len(digits), boundaries):
            yield digits


def alphanumeric_cnpjs(normalised: str, any_case: bool = False) -> Iterator[str]:
    """Every alphanumeric CNPJ candidate of a normalised text, as its 14 characters (upper-case): laid out as a
    CNPJ, not glued to letters or digits, holding a letter, not a mask. `any_case` also reads lower-case
    letters (the leak proof: the Receita prints upper-case, a copy may not)."""
    pattern = _ALPHANUMERIC_CNPJ_ANY_CASE if any_case else _ALPHANUMERIC_CNPJ
    for match in pattern.finditer(normalised):
        characters = _NOT_CNPJ_CHARACTER.sub("", match.group(1)).upper()
        if not characters.isdigit() and MASK_RUN not in characters:
            yield characters


def email_addresses(normalised: str) -> Iterator[str]:
    """Every e-mail address of a normalised text, found at its `@` with its user part read back (RFC 5321's
    64 characters at most)."""
    for match in _EMAIL.finditer(normalised):
        user = _USER_PART.search(normalised[max(0, match.start() - 64) : match.start()])
        yield f"{user.group() if user else ''}{match.group()}"


def _mod11(values: Sequence[int], weights: Sequence[int]) -> int:
    remainder = sum(value * weight for value, weight in zip(values, weights, strict=False)) % 11
    return 0 if remainder < 2 else 11 - remainder


def _mod11_verifies(values: Sequence[int], first: Sequence[int], second: Sequence[int]) -> bool:
    return _mod11(values, first) == values[-2] and _mod11(values, second) == values[-1]


def cpf_verifies(digits: str) -> bool:
    return (
        len(digits) == CPF_DIGITS
        and len(set(digits)) > 1
        and _mod11_verifies([int(d) for d in digits], CPF_WEIGHTS_1, CPF_WEIGHTS_2)
    )


def cnpj_verifies(characters: str) -> bool:
    """14 characters (digits, or the alphanumeric CNPJ's digits and upper-case letters): each counts its ASCII
    code minus 48 (`0`-`9` are 0-9, `A` is 17, `Z` 42), with the numeric CNPJ's mod-11 weights."""
    return (
        len(characters) == CNPJ_DIGITS
        and len(set(characters)) > 1
        and _mod11_verifies([ord(c) - 48 for c in characters], CNPJ_WEIGHTS_1, CNPJ_WEIGHTS_2)
    )


def luhn_verifies(digits: str) -> bool:
    if not CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS or len(set(digits)) == 1:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def cnpj_characters(value: str) -> str | None:
    """The 14 characters of a value written as a CNPJ, alphanumeric or not (any punctuation ignored, letters
    upper-cased): 12 digits or letters, then 2 digits; None for anything else."""
    characters = _NOT_CNPJ_CHARACTER.sub("", normalise(value)).upper()
    return characters if _ALPHANUMERIC_CNPJ_FORM.fullmatch(characters) else None


def is_valid_alphanumeric_cnpj(value: str) -> bool:
    """An alphanumeric CNPJ (`12.ABC.345/01DE-35`, `12ABC34501DE35`) whose check digits verify; any punctuation
    is ignored, letters are read upper-case. A numeric CNPJ is one too (the rule is the same for digits)."""
    characters = cnpj_characters(value)
    return characters is not None and cnpj_verifies(characters)


_CHECKS: tuple[tuple[Found, Callable[[int, Sequence[int]], bool], Callable[[str], bool]], ...] = (
    (Found.CPF, lambda n, b: n == CPF_DIGITS and fits(b, CPF_BOUNDARIES), cpf_verifies),
    (Found.CNPJ, lambda n, b: n == CNPJ_DIGITS and fits(b, CNPJ_BOUNDARIES), cnpj_verifies),
    (
        Found.CARD,
        lambda n, b: (
            CARD_MIN_DIGITS <= n <= CARD_MAX_DIGITS and any(fits(b, layout) for layout in CARD_LAYOUTS)
        ),
        luhn_verifies,
    ),
)


def personal_data_kinds(text: str) -> set[Found]:
    """The Python reading of the detector: the kinds of raw personal data in a text (raw, not normalised)."""
    normalised = normalise(text)
    found: set[Found] = set()
    for digits, boundaries in number_runs(normalised):
        for kind, laid_out, verifies in _CHECKS:
            if laid_out(len(digits), boundaries) and verifies(digits):
                found.add(kind)
    if any(cnpj_verifies(candidate) for candidate in alphanumeric_cnpjs(normalised)):
        found.add(Found.CNPJ)
    if "@" in normalised and _EMAIL.search(normalised):
        found.add(Found.EMAIL)
    return found

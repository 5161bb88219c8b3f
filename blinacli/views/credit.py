"""Which quote holds which figure: the numbers a quote states, read as sources write them.

Every figure of an evidence file is backed by quotes (its object's ``cite``). A screen
marks each row with the sources of the quotes that state that row's own figures, and
``blinacli check`` (rule ``figure-not-in-quote``) reports a figure that none of its quotes
states. Both ask this module, so a row without a mark is a row ``check`` reports.

How a quote's numbers are read:

- plain numbers with ``.`` or a Lancet-style ``·`` as decimal point, a leading point
  (``P = .002``), thousands separated by commas or thin spaces (``1,234``, ``1 234``),
  and numbers glued to a following word (``6-week`` is 6). Digits inside a word or an
  identifier (``m2``, ``NCT01207388``, ``E1910``) are not numbers;
- a percent stands for itself and for its fraction: ``78%`` holds 78 and 0.78, ``<0.01%``
  holds 0.01 and 0.0001;
- powers of ten: ``10−3`` (U+2212), ``10^-3``, ``10⁻³``, ``1×10−3``, ``5 x 10^-4``,
  ``1e-3``. A dash is never a minus sign otherwise, since every figure of the model is
  non-negative: ``0.23–0.73``, ``0.23 to 0.73`` and ``30-70 years`` state two numbers. The
  one ambiguous case, a hyphen after 10 (``10-3``), is read both ways;
- a relation before a number (``<``, ``≤``, ``>``, ``≥``, ``<=``, ``=``, "less than", "more
  than", "at least"...) makes it a bound: the p-value bound ``"<0.001"`` is held by
  ``P<0.001`` or ``P < .001``, never by ``P = 0.001`` or ``P > 0.001``;
- number words, any case, joined by spaces, hyphens and "and": "Eighty-eight", "One
  hundred sixteen", "four", "twenty-one", "two hundred and five";
- Roman numerals after "phase", "grade(s)" or "stage(s)": "phase II", "grade III/IV";
- the word after a number, or after a list such as "23.6 vs 5.7 months", is its unit. A
  figure with a unit (a duration, a time, a dose) is not held by a number followed by
  another unit: "up to 4 cycles" holds no 4 weeks, "15 µg/m²" no 15 days. A number
  followed by no known unit ("43 (range 1–80) months") may still be the figure.

Equality is exact at the value's own decimals: 36.6 is not held by "36.5", and 22.0 (a
decimal the file wrote) is not held by "22", since the file would add a decimal the
source does not give. A quote may write trailing zeros the value lacks: 22 is held by
"22.0", and 0.41 by "0.410", because YAML reads ``0.410`` as the number 0.41 and a file
could not keep that zero if it tried.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from blinacli.model import Quote, source_ids

Value = int | float | str
"""A figure as the model holds it: a number, a p-value bound such as "<0.001", or text
that is only numbers ("131", "320–333", "1/2")."""
Path = tuple[str | int, ...]


class Reading(NamedTuple):
    """One number a quote states."""

    value: Decimal
    places: int
    """Decimals as written: 2 for "0.41", 3 for "10−3" (0.001), 0 for "Eighty-eight"."""
    relation: str
    """"" for a plain number, else "=", "<", ">", "≤" or "≥" as the quote writes it."""
    written: str
    """The number as the quote writes it, e.g. "P = .002" gives ".002"."""
    unit: str = ""
    """The word after the number (or after a list such as "23.6 vs 5.7 months"),
    lower case; "%" for a percent."""


class Figure(NamedTuple):
    """A figure of the model that its quotes should state."""

    value: Value
    """The number, or a p-value bound such as "<0.001"."""
    path: Path = ()
    """Where it is in the study, e.g. ("outcomes", 2, "results", 0, "value")."""
    unit: str | None = None
    """The unit of the object that holds it (Duration, Time, Dose...): a number followed
    by another unit does not hold it ("4 cycles" holds no 4 weeks), and of several quotes
    that hold it, those that give it with its unit are preferred."""
    unbounded: bool = False
    """True when the field could record a bound (a p-value): then a quote stating only a
    bound ("P<0.001") does not hold the number 0.001."""
    whole: str | None = None
    """The field's text when the figure is one of its numbers ("333" of "320–333")."""


# --- Reading numbers ------------------------------------------------------------------

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789")
_NUMBER = (
    r"(?:[0-9]{1,3}(?:[,\u2009\u202f\u00a0][0-9]{3})+(?![0-9])|[0-9]+)(?:[.·][0-9]+)?"
    r"|[.·][0-9]+"
)
_NOT_IN_A_WORD = r"(?<![^\W\d_])(?<![0-9.·])"
# A power of ten needs a mark of one: a sign, a caret or superscript digits.
_EXPONENT = (
    r"(?:\s*\^\s*(?P<{s}>[-−⁻+–‐‑]?)\s*(?P<{e}>[0-9]{{1,3}})"
    r"|(?P<{ss}>⁻?)(?P<{se}>[⁰¹²³⁴⁵⁶⁷⁸⁹]{{1,3}})"
    r"|(?P<{ds}>[-−–‐‑])(?P<{de}>[0-9]{{1,2}})(?![0-9.,·]))"
)
_SCANNER = re.compile(
    _NOT_IN_A_WORD
    + "(?:"
    # 1×10−3, 5 x 10^-4, 1·10⁻³
    + rf"(?P<mantissa>{_NUMBER})\s*[×xX*]\s*10"
    + _EXPONENT.format(s="s1", e="e1", ss="ss1", se="se1", ds="ds1", de="de1")
    # 10−3, 10^-3, 10⁻³
    + "|(?P<ten>10)"
    + _EXPONENT.format(s="s2", e="e2", ss="ss2", se="se2", ds="ds2", de="de2")
    # 1e-3, 2.5E-04
    + rf"|(?P<emantissa>{_NUMBER})[eE](?P<esign>[-−+]?)(?P<eexp>[0-9]{{1,3}})(?![^\W\d_])"
    + rf"|(?P<plain>{_NUMBER})"
    + r")(?P<percent>\s*(?:%|per\s?cent\b))?"
)
_RELATION = re.compile(
    r"(?P<relation><=|>=|≤|≥|⩽|⩾|<|>|=|less than|fewer than|lower than|greater than|"
    r"more than|higher than|at least|at most)\s*[(\[]?\s*$",
    re.IGNORECASE,
)
_RELATIONS = {
    "<=": "≤",
    "⩽": "≤",
    ">=": "≥",
    "⩾": "≥",
    "less than": "<",
    "fewer than": "<",
    "lower than": "<",
    "greater than": ">",
    "more than": ">",
    "higher than": ">",
    "at least": "≥",
    "at most": "≤",
}
_ROMAN_LIST = re.compile(
    r"\b(?i:phases?|grades?|stages?)\s+(?P<list>[IV]{1,4}[ab]?"
    r"(?:\s*(?:/|-|–|—|,|to|and|or)\s*[IV]{1,4}[ab]?)*)\b"
)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_WORD = re.compile(r"[A-Za-z]+")
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 1000, "million": 1_000_000}
_JOINER = re.compile(r"[\s\-‐‑]+")
_LIST_GAP = re.compile(r"\s*(?:vs\.?|versus|to|and|or|,|-|–|—|/)\s*", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s*[-‐‑]?\s*(?P<word>[^\W\d_][^\s,;:()\[\]]*)")


def _decimal(written: str) -> Decimal:
    digits = written.replace("·", ".")
    for separator in ",\u2009\u202f\u00a0":
        digits = digits.replace(separator, "")
    return Decimal(digits)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class _Found(NamedTuple):
    start: int
    end: int
    values: tuple[tuple[Decimal, int], ...]
    """Each (value, decimals) the text may mean: a percent and its fraction, say."""
    relation: str
    written: str
    percent: bool = False


def _relation_before(text: str, start: int) -> str:
    match = _RELATION.search(text[max(0, start - 16) : start])
    if match is None:
        return ""
    relation = match.group("relation").lower()
    return _RELATIONS.get(relation, relation)


def _power(mantissa: Decimal, sign: str, exponent: str) -> Decimal:
    power = int(exponent.translate(_FROM_SUPERSCRIPT))
    return mantissa.scaleb(-power if sign and sign != "+" else power)


def _digit_numbers(text: str) -> Iterator[_Found]:
    for match in _SCANNER.finditer(text):
        group = match.group
        readings: list[Decimal] = []
        if group("mantissa") is not None or group("ten") is not None:
            n = "1" if group("mantissa") is not None else "2"
            mantissa = _decimal(group("mantissa")) if n == "1" else Decimal(1)
            if group(f"e{n}") is not None:
                readings.append(_power(mantissa, group(f"s{n}"), group(f"e{n}")))
            elif group(f"se{n}") is not None:
                readings.append(_power(mantissa, group(f"ss{n}"), group(f"se{n}")))
            else:
                readings.append(_power(mantissa, group(f"ds{n}"), group(f"de{n}")))
                if n == "2" and group("ds2") != "−":
                    # "10-3" with a hyphen or dash may also be a range: 10 and 3, plain.
                    yield _Found(match.start(), match.start() + 2, ((Decimal(10), 0),), "", "10")
                    start, end = match.span("de2")
                    yield _Found(start, end, ((Decimal(group("de2")), 0),), "", group("de2"))
        elif group("emantissa") is not None:
            readings.append(_power(_decimal(group("emantissa")), group("esign"), group("eexp")))
        else:
            readings.append(_decimal(group("plain")))
        percent = group("percent") is not None
        values: list[tuple[Decimal, int]] = []
        for value in readings:
            values.append((value, _places(value)))
            if percent:
                fraction = value.scaleb(-2)
                values.append((fraction, _places(fraction)))
        relation = _relation_before(text, match.start())
        yield _Found(match.start(), match.end(), tuple(values), relation, group(0), percent)


def _word_numbers(text: str) -> Iterator[_Found]:
    """Numbers written in words: "Eighty-eight", "One hundred sixteen", "four"."""
    words = list(_WORD.finditer(text))
    index = 0
    while index < len(words):
        first = words[index]
        if first.group().lower() not in _UNITS and first.group().lower() not in _TENS:
            index += 1
            continue
        total, current, last = 0, 0, ""
        end = index
        cursor = index
        while cursor < len(words):
            word = words[cursor].group().lower()
            if cursor > index:
                gap = text[words[cursor - 1].end() : words[cursor].start()]
                if not _JOINER.fullmatch(gap):
                    break
            if word == "and" and last in ("hundred", "scale") and cursor + 1 < len(words):
                cursor += 1
                continue
            if word in _UNITS and last in ("", "tens", "hundred", "scale", "and"):
                if last == "tens" and _UNITS[word] >= 10:
                    break
                current += _UNITS[word]
                last = "units"
            elif word in _TENS and last in ("", "hundred", "scale"):
                current += _TENS[word]
                last = "tens"
            elif word == "hundred" and last in ("units", "tens") and 0 < current < 100:
                current *= 100
                last = "hundred"
            elif word in _SCALES and current > 0 and last != "scale":
                total += current * _SCALES[word]
                current = 0
                last = "scale"
            else:
                break
            end = cursor
            cursor += 1
        start, stop = words[index].start(), words[end].end()
        relation = _relation_before(text, start)
        yield _Found(start, stop, ((Decimal(total + current), 0),), relation, text[start:stop])
        index = end + 1


def _roman_numbers(text: str) -> Iterator[_Found]:
    """Roman numerals after "phase", "grade" or "stage": "phase I/II", "grade III–IV"."""
    for match in _ROMAN_LIST.finditer(text):
        for numeral in re.finditer(r"[IV]{1,4}", match.group("list")):
            value = _ROMAN.get(numeral.group())
            if value is not None:
                start = match.start("list") + numeral.start()
                end = start + len(numeral.group())
                yield _Found(start, end, ((Decimal(value), 0),), "", numeral.group())


def _units(text: str, found: list[_Found]) -> list[str]:
    """The word after each number, carried back over lists: "23.6 vs 5.7 months"."""
    units = [""] * len(found)
    for index in range(len(found) - 1, -1, -1):
        item = found[index]
        if item.percent:
            units[index] = "%"
            continue
        after = next((i for i in range(index + 1, len(found)) if found[i].start >= item.end), None)
        if after is not None and _LIST_GAP.fullmatch(text[item.end : found[after].start]):
            units[index] = units[after]
            continue
        match = _NEXT_WORD.match(text, item.end)
        units[index] = match.group("word").lower().rstrip(".") if match else ""
    return units


@functools.lru_cache(maxsize=8192)
def readings(text: str) -> tuple[Reading, ...]:
    """Every number ``text`` states, in the order written (kept for the next call:
    ``check`` asks about each quote once per figure it backs)."""
    found = sorted(
        [*_digit_numbers(text), *_word_numbers(text), *_roman_numbers(text)],
        key=lambda f: (f.start, f.end),
    )
    units = _units(text, found)
    return tuple(
        Reading(value, places, item.relation, item.written.strip(), unit)
        for item, unit in zip(found, units, strict=True)
        for value, places in item.values
    )


# --- Does a quote hold a value --------------------------------------------------------

_BOUND = re.compile(r"^\s*(?P<relation><=|>=|<|>|≤|≥)\s*(?P<number>[0-9]*\.?[0-9]+)\s*$")
_NUMBERS_ONLY = re.compile(
    r"^\s*[0-9]+(?:\.[0-9]+)?(?:\s*(?:[-–—/:]|to)\s*[0-9]+(?:\.[0-9]+)?)*\s*$"
)
_NUMBER_STARTS = frozenset("0123456789<>≤≥")
_DATE = re.compile(r"^\s*[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?\s*$")
_UNIT_WORDS = {
    "days": ("day",),
    "weeks": ("week", "wk"),
    "months": ("month",),
    "years": ("year", "yr"),
    "µg": ("µg", "μg", "mcg", "ug", "microgram"),
    "mg": ("mg", "milligram"),
    "g": ("gram",),
    "ng": ("ng", "nanogram"),
    "iu": ("iu", "international unit"),
    "units": ("unit",),
}
_SHORT_UNITS = {"days": ("d",), "months": ("mo",), "years": ("y",), "g": ("g",), "units": ("u",)}


def numbers_of(text: str) -> list[str]:
    """The figures in a text field that is only numbers: "<0.001" stays one bound,
    "320–333" is 320 and 333, "1/2" is 1 and 2; none for other text, or for a date
    (2024-07-25 is a date, not three figures)."""
    if text.lstrip()[:1] not in _NUMBER_STARTS:
        return []  # most text: a label, a note
    if _BOUND.match(text):
        return [text.strip()]
    if _DATE.match(text) or not _NUMBERS_ONLY.match(text):
        return []
    return re.findall(r"[0-9]+(?:\.[0-9]+)?", text)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: 22 and 22.0 differ in decimals
def _target(value: Value) -> tuple[Decimal, int, str]:
    """(number, its decimals, relation) of one value as the model holds it."""
    if isinstance(value, str):
        bound = _BOUND.match(value)
        if bound is not None:
            relation = bound.group("relation")
            number = Decimal(bound.group("number"))
            return number, _places(number), _RELATIONS.get(relation, relation)
        number = Decimal(value.strip())
        return number, _places(number), ""
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    return number, _places(number), ""


_OTHER_UNITS = ("cycle", "%")
"""Words that name what a number counts though no figure of the model has them as a unit:
"4 cycles" is not a duration of 4 weeks."""


def _fold_unit(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _unit_words(unit: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(prefixes, whole words) that name ``unit`` after a number."""
    key = unit if unit in _UNIT_WORDS else unit.casefold()
    longs = tuple(_fold_unit(w) for w in _UNIT_WORDS.get(key, (unit,)))
    return longs, _SHORT_UNITS.get(key, ())


def _names(word: str, unit: str) -> bool:
    """Whether the word after a number names ``unit``: "weeks", "6-week", "µg/m²", "mo"."""
    longs, shorts = _unit_words(unit)
    folded = _fold_unit(word)
    head = re.split(r"[/.]", folded, maxsplit=1)[0]
    return folded.startswith(longs) or head in shorts


def _names_another_unit(word: str, unit: str) -> bool:
    """Whether the word after a number names a unit other than ``unit`` ("4 cycles" for a
    figure in weeks). An unknown word ("43 (range 1–80) months") is no other unit."""
    if not word or _names(word, unit):
        return False
    folded = _fold_unit(word)
    return folded.startswith(_OTHER_UNITS) or any(
        _names(word, other) for other in _UNIT_WORDS if _fold_unit(other) != _fold_unit(unit)
    )


def holds(
    text: str,
    value: Value,
    *,
    unit: str | None = None,
    unbounded: bool = False,
    exact_unit: bool = False,
) -> bool:
    """Whether the quote ``text`` states ``value`` (a number or a bound such as "<0.001").

    ``unit``: a number followed by another unit does not count ("4 cycles" and "15 µg" do
    not hold 4 or 15 weeks); with ``exact_unit``, only a number followed by ``unit`` does.
    ``unbounded``: a bound on the number ("P<0.001") does not count as the number.
    """
    if isinstance(value, str) and not _BOUND.match(value):
        parts = numbers_of(value)
        if len(parts) > 1:  # "320–333": both numbers
            return all(
                holds(text, p, unit=unit, unbounded=unbounded, exact_unit=exact_unit) for p in parts
            )
    try:
        number, places, relation = _target(value)
    except ArithmeticError:  # text that is no number
        return False
    for reading in readings(text):
        if reading.value != number or reading.places < places:
            continue
        if relation and reading.relation != relation:
            continue
        if not relation and unbounded and reading.relation not in ("", "="):
            continue
        if unit is not None and (
            not _names(reading.unit, unit)
            if exact_unit
            else _names_another_unit(reading.unit, unit)
        ):
            continue
        return True
    return False


def held_by(cite: Sequence[Quote], figure: Figure) -> list[int]:
    """The indexes of the quotes in ``cite`` that hold ``figure``; of several, those that
    give it with its unit when some do ("for 4 weeks" over "4 weeks of 28 days")."""
    found = [
        i
        for i, q in enumerate(cite)
        if holds(q.quote, figure.value, unit=figure.unit, unbounded=figure.unbounded)
    ]
    if figure.unit and len(found) > 1:
        exact = [
            i
            for i in found
            if holds(
                cite[i].quote,
                figure.value,
                unit=figure.unit,
                unbounded=figure.unbounded,
                exact_unit=True,
            )
        ]
        return exact or found
    return found


# --- Text facts -----------------------------------------------------------------------

_DASHES = re.compile(r"[-‐‑‒–—−]")
_SPACE = re.compile(r"\s+")


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _DASHES.sub("-", text)).strip()


def contains(quote: str, text: str) -> bool:
    """Whether ``quote`` contains ``text``, ignoring case, the kind of dash and spacing."""
    folded = _folded(text)
    return bool(folded) and folded in _folded(quote)


# --- Crediting a row --------------------------------------------------------------------


def _as_figures(value: Value | Figure | None) -> list[Figure]:
    if isinstance(value, Figure):
        return [value]
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, str):
        return [Figure(part) for part in numbers_of(value)]
    return [Figure(value)]


def credit(
    cite: Sequence[Quote],
    values: Iterable[Value | Figure | None] = (),
    text: str | Iterable[str | None] | None = None,
) -> list[str]:
    """The source ids to show beside a row: distinct, in the order of ``cite``.

    A row with figures (``values``: numbers, bounds, or the figures that
    :func:`blinacli.views.covered.figures` finds in an object) is credited to the quotes
    that hold at least one of them; when none does, the row gets no source at all, and
    ``check`` reports the figure. A row with no figure (a DOI, a route, an allocation, a
    drug's name) is credited to the quotes that contain its ``text`` (any one of several),
    ignoring case, dashes and spacing. Text facts are often paraphrased by design (the
    model's "continuous-iv-infusion" for a source's "by continuous IV infusion", a label
    in the curator's words), so when no quote contains the text the row falls back
    to every source of its block.
    """
    wanted = [f for value in values for f in _as_figures(value)]
    if wanted:
        held = sorted({i for figure in wanted for i in held_by(cite, figure)})
        return source_ids(cite[i] for i in held)
    texts = [text] if isinstance(text, str) else [t for t in text or () if t]
    containing = [q for q in cite if any(contains(q.quote, t) for t in texts)]
    return source_ids(containing or cite)


def stated(cite: Sequence[Quote]) -> list[str]:
    """What each quote states, as written: "36.5; 95%, 22.0" (one part per quote)."""
    parts = []
    for quote in cite:
        written = list(dict.fromkeys(r.written for r in readings(quote.quote)))
        parts.append(", ".join(written) if written else "no figure")
    return parts

"""What every section of the draft uses: numbers and placeholders as the draft writes
them, the record's values as the registry wrote them, quotes that cite the registry, ids
and the endpoint a title names.
"""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec

from blinacli.interop.ctgov.record import NumText
from blinacli.model import ENDPOINT_NAMES

SEPARATOR = " | "
"""Between the pieces of a registry quote."""

QUOTE_LIMIT = 600
"""The model's longest quote."""

REGISTRY = "registry"
PUBLICATION = "publication"


# --- Values as the registry writes them -----------------------------------------------------------

_PLAIN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_INTEGER = re.compile(r"0|[1-9][0-9]*")


class Number(str):
    """A number kept in the registry's own writing ("7.0", "15.2310"), emitted unquoted."""

    @property
    def value(self) -> int | float:
        return float(self) if "." in self else int(self)


class Placeholder(str):
    """A ``TODO`` value shared by several fields: emitted once with an anchor, then aliased."""

    anchor: str

    def __new__(cls, text: str, anchor: str) -> Placeholder:
        made = super().__new__(cls, text)
        made.anchor = anchor
        return made


class Flow(dict[str, Any]):
    """A small mapping written on one line: ``{level: 95, lower: 0.23, upper: 0.73}``."""


class FlowList(list[Any]):
    """A short list written on one line: ``[blinatumomab]``."""


def raw(value: NumText | None) -> str | None:
    """A field's text as the record writes it; None when absent or empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    text = str(value).strip()
    return text or None


def as_number(value: NumText | None) -> Number | None:
    """The value as a :class:`Number` when the registry wrote a plain non-negative decimal."""
    text = raw(value)
    return Number(text) if text is not None and _PLAIN.fullmatch(text) else None


def as_count(value: NumText | None) -> int | None:
    text = raw(value)
    return int(text) if text is not None and _INTEGER.fullmatch(text) else None


def fits(value: object, kind: Any) -> bool:
    """Whether ``value`` is valid for the model's type ``kind`` (its bounds and patterns)."""
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError:
        return False
    return True


def text_of(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def excerpt(text: str, limit: int) -> str:
    """A leading part of ``text`` of at most ``limit`` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit, 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip()


def fit(text: str, limit: int) -> str:
    """``text`` for a field of at most ``limit`` characters; a cut is marked with "…"."""
    return text if len(text) <= limit else excerpt(text, limit - 1) + "…"


def cite(*pieces: str | None) -> list[dict[str, str]]:
    """A one-quote cite of the registry: the pieces joined, the longest cut until it fits."""
    parts = [" ".join(p.split()) for p in pieces if p is not None and p.strip()]
    if not parts:
        return [
            {
                "source": PUBLICATION,
                "quote": "TODO: a verbatim quote from the publication (the registry record "
                "has nothing to quote here)",
            }
        ]
    while len(SEPARATOR.join(parts)) > QUOTE_LIMIT:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        excess = len(SEPARATOR.join(parts)) - QUOTE_LIMIT
        parts[longest] = excerpt(parts[longest], len(parts[longest]) - excess)
        parts = [p for p in parts if p]
    return [{"source": REGISTRY, "quote": SEPARATOR.join(parts)}]


def field(key: str, value: NumText | None) -> str | None:
    """A coded or numeric piece of a quote: ``key: value``."""
    text = raw(value)
    return None if text is None else f"{key}: {text}"


def slug_of(text: str, fallback: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > 50:
        slug = slug[:50].rsplit("-", 1)[0] if "-" in slug[:50] else slug[:50]
    return slug or fallback


def same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- Vocabularies ---------------------------------------------------------------------------------


def endpoint_of(title: str) -> str:
    """The endpoint term whose name the title contains (the longest), else ``other``."""
    found = [
        term
        for term, name in ENDPOINT_NAMES.items()
        if term != "other" and re.search(rf"\b{re.escape(name)}\b", title, re.IGNORECASE)
    ]
    if not found:
        return "other"
    return max(found, key=lambda term: len(ENDPOINT_NAMES[term]))

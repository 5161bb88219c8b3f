"""The integrity rule ``figure-not-in-quote``: every reported number is stated by a quote.

A figure's quotes are its provenance: a reader who follows ``[abstract]`` to the quote
must find the number there. This rule reads each quote's numbers as sources write them
(:mod:`blinacli.views.credit`) and reports every figure that none of the quotes cited for
it states, at the figure's own decimals. Which quotes cover which figure is read from
the model's types (:mod:`blinacli.views.covered`), so new fields are checked as soon as
the model has them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, NamedTuple

from msgspec import Struct

from blinacli.model import Quote, Study
from blinacli.views import formatting as fmt
from blinacli.views.covered import cited, figures
from blinacli.views.credit import Figure, Path, held_by, stated

RULE = "figure-not-in-quote"
SEVERITY: Literal["error"] = "error"
TEXT = (
    "A reported number appears in none of the quotes cited for it, at its own decimals "
    "(36.6 is not in a quote saying 36.5). Its quotes are the cite of its own object, or "
    "of the nearest object around it that has one (a CI, a dose or a schedule is covered "
    "by its result's or regimen's cite). Numbers are read as sources write them: "
    "'P = .002', '10−3', '1×10⁻³', '<0.01%', '0.23 to 0.73', 'Eighty-eight', '1,234', "
    "'6-week', 'phase II'; a number followed by another unit is not a figure with a "
    "unit ('4 cycles' is no 4-week infusion). Covered: every number of the model "
    "(yes/no fields are not), p-value bounds ('<0.001' needs a quote saying P<0.001), "
    "and text that is only numbers, such as a volume or a page range; ids and dates are "
    "not figures. An "
    "outcome has no cite of its own, so its timepoint is not checked."
)


class Problem(NamedTuple):
    """One figure that no cited quote states, before it has a file position."""

    rule: str
    path: Path
    message: str
    reported: str
    derived: str


def problems(study: Study | Struct) -> Iterator[Problem]:
    """Every figure under ``study`` (a study, or any object of the model) that none of
    its quotes states, in document order."""
    for path, node in cited(study):
        cite: list[Quote] = getattr(node, "cite")  # noqa: B009 - every cited object has one
        for figure in figures(node, path):
            if not held_by(cite, figure):
                yield _problem(figure, cite)


def _shown(figure: Figure) -> str:
    text = fmt.number(figure.value)
    return f"{text} (of “{figure.whole}”)" if figure.whole else text


def _problem(figure: Figure, cite: list[Quote]) -> Problem:
    shown = _shown(figure)
    if not cite:
        message = f"{shown} has no quote cited for it"
        derived = "no quote"
    else:
        quotes = "; ".join(f"[{q.source}] “{q.quote}”" for q in cite)
        plain = figure.unbounded and not isinstance(figure.value, str)
        how = " as a number (a bound on it is not the number)" if plain else ""
        where = (
            "is not stated in the quote cited for it"
            if len(cite) == 1
            else f"is stated in none of the {len(cite)} quotes cited for it"
        )
        message = f"{shown} {where}{how}: {quotes}"
        derived = "the quotes state " + "; ".join(stated(cite))
    return Problem(RULE, figure.path, message, fmt.number(figure.value), derived)

"""Which figures each ``cite`` covers: a walk of the evidence model by its types.

An object of the model with a ``cite`` field (a result, a comparison, a regimen, an
enrollment count...) is backed by those quotes. They cover its own numbers and those of
its nested objects that have no cite of their own (a CI, a Dose, a Schedule, Cycles, a
Duration...). The walk reads the model's types, not a list of fields, so a field added
to the model later is covered without a change here. ``blinacli check`` (rule
``figure-not-in-quote``) and the views ask it which figures a row's quotes must state.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from msgspec import Struct

from blinacli.model import Outcome, PValueBound, Quote, Slug
from blinacli.views.credit import Figure, Path, credit, numbers_of


class _Field(NamedTuple):
    skip: bool
    """An id (a Slug): chosen by the curator, not read in a source."""
    bound: bool
    """The field can hold a p-value bound, so a plain number in it must be stated plainly."""


def _mentions(hint: object, target: object) -> bool:
    if hint == target:
        return True
    return any(_mentions(arg, target) for arg in typing.get_args(hint))


@functools.cache
def _fields(kind: type[Struct]) -> dict[str, _Field]:
    hints = typing.get_type_hints(kind, include_extras=True)
    return {
        name: _Field(
            skip=_mentions(hints.get(name), Slug) and not _mentions(hints.get(name), PValueBound),
            bound=_mentions(hints.get(name), PValueBound),
        )
        for name in kind.__struct_fields__
    }


def has_cite(node: object) -> bool:
    """Whether ``node`` is an object of the model with quotes of its own."""
    return isinstance(node, Struct) and "cite" in node.__struct_fields__


def figures(node: object, path: Path = ()) -> list[Figure]:
    """The figures that the ``cite`` of ``node`` covers, in field order.

    Those are its own numbers (int and float fields, never bool), p-value bounds and text
    fields that are only numbers ("131", "320–333"), and the same in its nested objects
    that have no cite of their own (a CI, a Dose, a Schedule, Cycles, a Duration...). An
    object with its own cite is covered by that. Ids are left out (the curator names
    them), and so are dates. The walk reads the model's types, so a field added to the
    model later is covered without a change here.
    """
    return list(_covered(node, path, None, top=True))


# Left out, each because a quote need not state it:
# - yes/no fields (Cycles.up_to, Transplant.allowed): an answer, not a number;
# - ids (Slug fields: an arm's id, a result's group, a quote's source): the curator
#   names them, no source does;
# - dates (Citation.date, "2024-07-25"): a date, which sources write in words and
#   another order ("2024 Jul 25"), not three figures;
# - numbers with no cite above them (an Outcome's timepoint: an Outcome has no cite):
#   no quote is theirs to hold them.
# A CI's level is covered: sources state it ("95% CI"), and a wrong level changes the
# p-value a CI implies.


def _covered(node: object, path: Path, field: _Field | None, *, top: bool = False) -> list[Figure]:
    out: list[Figure] = []
    _collect(node, path, field.bound if field is not None else False, None, out, top=top)
    return out


def _collect(
    node: object,
    path: Path,
    bound: bool,
    unit: str | None,
    out: list[Figure],
    *,
    top: bool = False,
) -> None:
    """Append the figures of ``node`` to ``out``; ``unit`` is that of the object holding it."""
    if node is None or isinstance(node, bool):
        return  # yes/no fields are not figures
    if isinstance(node, int | float):
        out.append(Figure(node, path, unit, bound))
    elif isinstance(node, str):
        parts = numbers_of(node)
        whole = node if len(parts) > 1 else None
        out.extend(Figure(part, path, unit, bound, whole) for part in parts)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            _collect(item, (*path, index), bound, None, out)
    elif isinstance(node, Struct) and (top or not has_cite(node)):
        own = getattr(node, "unit", None)
        own_unit = own if isinstance(own, str) else None
        for name, field_bound in _walked(type(node)):
            value = getattr(node, name)
            kind = type(value)
            if kind is int or kind is float:  # the common case, without a call
                out.append(Figure(value, (*path, name), own_unit, field_bound))
            elif value is not None and kind is not bool:
                _collect(value, (*path, name), field_bound, own_unit, out)


@functools.cache
def _walked(kind: type[Struct]) -> tuple[tuple[str, bool], ...]:
    """The fields of ``kind`` the walk visits, with whether each can hold a p-value bound."""
    return tuple(
        (name, field.bound)
        for name, field in _fields(kind).items()
        if name != "cite" and not field.skip
    )


def _holds_struct(hint: object) -> bool:
    if isinstance(hint, type) and issubclass(hint, Struct):
        return True
    return any(_holds_struct(arg) for arg in typing.get_args(hint))


@functools.cache
def _nested(kind: type[Struct]) -> tuple[str, ...]:
    """The fields of ``kind`` whose type can hold an object of the model (not its cite)."""
    hints = typing.get_type_hints(kind, include_extras=True)
    return tuple(
        name for name in kind.__struct_fields__ if name != "cite" and _holds_struct(hints.get(name))
    )


def cited(node: object, path: Path = ()) -> Iterator[tuple[Path, Struct]]:
    """Every object of the model under ``node`` that has a ``cite``, with its path, in
    document order."""
    if isinstance(node, Struct):
        if has_cite(node):
            yield path, node
        for name in _nested(type(node)):
            yield from cited(getattr(node, name), (*path, name))
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            yield from cited(item, (*path, index))


def credit_for(
    cite: Sequence[Quote], *parts: object, text: str | Iterable[str | None] | None = None
) -> list[str]:
    """The sources to mark a row with: :func:`blinacli.views.credit.credit` of ``cite``
    for the figures of ``parts`` (objects of the model or single values, None for a part
    not given), or for ``text`` when the parts hold no figure."""
    return credit(cite, [f for part in parts for f in figures(part)], text)


def outcome_sources(outcome: Outcome) -> list[str]:
    """The sources of an outcome's figures (each result's and the comparison's), credited
    to the quotes that state them, distinct and in order."""
    sources = [s for r in outcome.results for s in credit_for(r.cite, r)]
    if outcome.comparison is not None:
        sources += credit_for(outcome.comparison.cite, outcome.comparison)
    return list(dict.fromkeys(sources))

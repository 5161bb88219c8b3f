"""Selecting studies: the filters of ``list``, ``outcomes`` and ``safety``, all of which must match.

``--where 'FIELD OP VALUE'`` works on the documented dotted fields in
:data:`FIELDS`. A field holding a list (``drugs``) matches when any element
does; a field a study leaves empty matches nothing, except with ``!=``.

Every filter but ``--search`` reads a study's *facts* (:func:`facts`): the value of each
field in :data:`FIELDS` and the drugs of its dosing, made from the study once and kept
in the evidence index (:data:`FACTS`), so that filtering an indexed study reads none of
it. ``--search``, which looks through titles, labels and notes, reads the study itself,
and only for the studies that the other filters kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import msgspec

from blinacli.base.errors import UsageError
from blinacli.load.cache import Summary
from blinacli.model import Phase, Study, vocabulary
from blinacli.views.phrases import study_size

if TYPE_CHECKING:
    from blinacli.load.loader import LoadedStudy

Kind = Literal["number", "text"]
Operator = Literal["=", "!=", "<", "<=", ">", ">=", "~"]
OPERATORS: tuple[str, ...] = ("!=", "<=", ">=", "=", "<", ">", "~")  # longest first, to parse


class Field(msgspec.Struct, frozen=True):
    kind: Kind
    help: str
    get: Callable[[Study], object]


def _follow_up(study: Study) -> object:
    """Every median follow-up the study reports, the whole study's and each arm's."""
    return [f.median for f in study.design.follow_ups()]


FIELDS: dict[str, Field] = {
    "id": Field("text", "study id", lambda s: s.id),
    "acronym": Field("text", "study acronym", lambda s: s.acronym),
    "title": Field("text", "study title", lambda s: s.title),
    "condition": Field("text", "condition studied", lambda s: s.condition),
    "drugs": Field("text", "drugs studied (a list)", lambda s: s.drugs),
    "citation.year": Field("number", "publication year", lambda s: s.citation.year),
    "citation.journal": Field("text", "journal", lambda s: s.citation.journal),
    "citation.authors": Field("text", "authors (a list)", lambda s: s.citation.authors),
    "registrations.id": Field(
        "text", "registry ids (a list)", lambda s: [r.id for r in s.registrations]
    ),
    "sources.kind": Field(
        "text", "kinds of source (a list)", lambda s: [x.kind for x in s.sources]
    ),
    "design.phase": Field("text", "trial phase, e.g. 3 or 1/2", lambda s: str(s.design.phase)),
    "design.allocation": Field(
        "text", "randomized, single-arm or non-randomized", lambda s: s.design.allocation
    ),
    "design.masking": Field("text", "masking, e.g. open-label", lambda s: s.design.masking),
    "design.arms": Field("number", "number of arms", lambda s: len(s.design.arms)),
    "design.n": Field(
        "number",
        "randomized, else treated, else enrolled N",
        lambda s: size[1] if (size := study_size(s)) else None,
    ),
    "design.follow_up.median": Field(
        "number", "median follow-ups (a list), in their own units", _follow_up
    ),
    "population.age.min": Field(
        "number",
        "minimum age in years",
        lambda s: s.population.age.min if s.population.age else None,
    ),
    "population.age.max": Field(
        "number",
        "maximum age in years",
        lambda s: s.population.age.max if s.population.age else None,
    ),
    "population.philadelphia.status": Field(
        "text",
        "positive, negative, any or not-reported",
        lambda s: s.population.philadelphia.status,
    ),
    "population.disease_status": Field(
        "text", "disease status at entry", lambda s: s.population.disease_status
    ),
    "population.mrd.status": Field(
        "text",
        "MRD criterion: positive or negative",
        lambda s: s.population.mrd.status if s.population.mrd else None,
    ),
    "population.mrd.threshold": Field(
        "number",
        "MRD threshold as a fraction (10⁻³ is 0.001)",
        lambda s: s.population.mrd.threshold if s.population.mrd else None,
    ),
    "outcomes.endpoint": Field(
        "text", "endpoints reported (a list)", lambda s: [o.endpoint for o in s.outcomes]
    ),
    "outcomes.role": Field(
        "text", "roles of the outcomes (a list)", lambda s: [o.role for o in s.outcomes]
    ),
}


def fields_help() -> str:
    width = max(len(name) for name in FIELDS)
    return "\n".join(f"  {name:<{width}}  {f.kind:<6}  {f.help}" for name, f in FIELDS.items())


class Condition(msgspec.Struct, frozen=True):
    """One ``--where`` condition, already checked against the field's type."""

    field: str
    op: Operator
    value: str | float

    def accepts(self, found: object) -> bool:
        """Whether a study whose field holds ``found`` meets this condition."""
        values = found if isinstance(found, list) else [found]
        present = [v for v in values if v is not None]
        if self.op == "!=":
            return not any(self._equal(v) for v in present)
        return any(self._test(v) for v in present)

    def _equal(self, value: object) -> bool:
        if isinstance(self.value, float):
            return isinstance(value, int | float) and float(value) == self.value
        return str(value).casefold() == self.value.casefold()

    def _test(self, value: object) -> bool:
        if self.op == "=":
            return self._equal(value)
        if self.op == "~":
            return re.search(str(self.value), str(value), re.IGNORECASE) is not None
        if not isinstance(value, int | float) or not isinstance(self.value, float):
            return False
        number = float(value)
        return {
            "<": number < self.value,
            "<=": number <= self.value,
            ">": number > self.value,
            ">=": number >= self.value,
        }[self.op]


_WHERE = (  # compiled by re's cache when a --where is first read, not at start-up
    r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(" + "|".join(map(re.escape, OPERATORS)) + r")\s*(.*?)\s*$"
)


def parse_where(expression: str) -> Condition:
    """``'population.age.max >= 65'`` -> Condition; :class:`UsageError` when malformed."""
    match = re.match(_WHERE, expression)
    if match is None:
        raise UsageError(
            f"cannot read --where {expression!r}: write FIELD OP VALUE with OP one of "
            f"{' '.join(OPERATORS)}, e.g. 'population.age.max >= 65'"
        )
    name, op, raw = match.groups()
    if name not in FIELDS:
        raise UsageError(f"unknown field {name!r} in --where. Fields:\n{fields_help()}")
    field = FIELDS[name]
    if not raw:
        raise UsageError(f"--where {expression!r} has no value")
    value: str | float = raw.strip("'\"")
    if field.kind == "number" and op != "~":
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"field {name!r} holds numbers; {raw!r} is not a number") from None
    elif op in ("<", "<=", ">", ">="):
        raise UsageError(f"field {name!r} holds text; compare it with =, != or ~, not {op}")
    if op == "~":
        try:
            re.compile(str(value))
        except re.error as exc:
            raise UsageError(f"--where {expression!r}: not a valid pattern ({exc})") from None
    return Condition(name, op, value)  # type: ignore[arg-type]


PHASES: tuple[str, ...] = tuple(str(p) for p in get_args(Phase))


class Criteria(msgspec.Struct, frozen=True):
    """Every filter a command was given; an empty Criteria selects every study."""

    drug: str | None = None
    phase: str | None = None
    design: str | None = None
    mrd: str | None = None
    ph: str | None = None
    endpoint: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_n: int | None = None
    age: int | None = None
    search: str | None = None
    where: tuple[Condition, ...] = ()

    @classmethod
    def build(cls, *, where: Sequence[str] = (), **given: object) -> Criteria:
        """Criteria from command-line values, checking those that can be wrong (exit 2)."""
        phase = given.get("phase")
        if phase is not None and str(phase) not in PHASES:
            raise UsageError(f"unknown phase {phase!r}; phases are {', '.join(PHASES)}")
        endpoint = given.get("endpoint")
        if endpoint is not None:
            given["endpoint"] = vocabulary.resolve(str(endpoint))
        return cls(where=tuple(parse_where(w) for w in where), **given)  # type: ignore[arg-type]

    def test(self) -> Callable[[Facts, Callable[[], Study]], bool]:
        """One test of every criterion: given a study's facts, and a way to read the
        study itself (asked only for ``--search``, once the facts have matched)."""
        tests = self.tests()

        def matches(known: Facts, study: Callable[[], Study]) -> bool:
            if not all(test(*(known[at] for at in fields)) for fields, test in tests):
                return False
            return self.found_in(study)

        return matches

    def found_in(self, study: Callable[[], Study]) -> bool:
        """Whether the text of ``--search`` is in the study (read only if it is given)."""
        if self.search is None:
            return True
        text = self.search.casefold()
        return any(text in t.casefold() for t in _searchable(study()))

    def empty(self) -> bool:
        return self == Criteria()

    def tests(self) -> list[Test]:
        """Every criterion but ``--search``, each with the facts it reads."""
        at = POSITION
        tests: list[Test] = [((at[c.field],), c.accepts) for c in self.where]
        if self.drug is not None:
            drug = self.drug.casefold()
            tests.append(
                (
                    (at["drugs"], DOSING_DRUGS),
                    lambda named, dosed: any(drug in d.casefold() for d in [*named, *dosed]),
                )
            )
        if self.phase is not None:
            tests.append(((at["design.phase"],), lambda phase: phase == self.phase))
        if self.design is not None:
            tests.append(((at["design.allocation"],), lambda design: design == self.design))
        if self.mrd is not None:
            tests.append(((at["population.mrd.status"],), lambda status: status == self.mrd))
        if self.ph is not None:
            tests.append(
                ((at["population.philadelphia.status"],), lambda status: status == self.ph)
            )
        if self.endpoint is not None:
            terms = vocabulary.matching(self.endpoint)
            tests.append(((at["outcomes.endpoint"],), lambda found: any(e in terms for e in found)))
        if self.year_from is not None:
            tests.append(((at["citation.year"],), lambda year: year >= self.year_from))
        if self.year_to is not None:
            tests.append(((at["citation.year"],), lambda year: year <= self.year_to))
        if self.min_n is not None:
            tests.append(((at["design.n"],), lambda n: n is not None and n >= self.min_n))
        if self.age is not None:
            tests.append(
                (
                    (at["population.age.min"], at["population.age.max"]),
                    lambda low, high: _age_includes(low, high, self.age),  # type: ignore[arg-type]
                )
            )
        return tests


Test = tuple[tuple[int, ...], Callable[..., bool]]
"""A criterion: the positions of the facts it reads, and its test of their values."""


def select(studies: Sequence[Study], criteria: Criteria) -> list[Study]:
    test = criteria.test()
    return [study for study in studies if test(facts(study), lambda s=study: s)]  # type: ignore[misc]


def select_loaded(loaded: Sequence[LoadedStudy], criteria: Criteria) -> list[LoadedStudy]:
    """The studies of ``loaded`` that meet ``criteria``, in their order. Their facts come
    from the evidence index where it keeps them, a column a field, tested for every
    indexed study at once; only ``--search`` reads a study, and only one the other
    filters kept."""
    if criteria.empty():
        return list(loaded)
    tests = criteria.tests()
    verdicts: dict[Callable[[int], list[Any] | None], list[bool] | None] = {}
    kept: list[LoadedStudy] = []
    for item in loaded:
        verdict = None if tests else True
        place = item.columns(FACTS) if tests else None
        if place is not None:
            columns, position = place
            if columns not in verdicts:
                verdicts[columns] = _verdicts(columns, tests)
            found = verdicts[columns]
            verdict = found[position] if found is not None else None
        if verdict is None:
            known = item.summary(FACTS)
            verdict = all(test(*(known[at] for at in fields)) for fields, test in tests)
        if verdict and criteria.found_in(lambda i=item: i.study):  # type: ignore[misc]
            kept.append(item)
    return kept


def _verdicts(columns: Callable[[int], list[Any] | None], tests: list[Test]) -> list[bool] | None:
    """Whether each study of an index meets every test, by position, from the index's
    columns of facts (``columns(n)`` is column ``n``); None if a column is damaged."""
    verdicts: list[bool] | None = None
    for fields, test in tests:
        found = [columns(at) for at in fields]
        if any(column is None for column in found):
            return None
        results = [test(*values) for values in zip(*found, strict=True)]
        if verdicts is not None:
            results = [before and now for before, now in zip(verdicts, results, strict=True)]
        verdicts = results
    return verdicts


Facts = list[Any]
"""A study's facts: the value of each field of :data:`FIELDS`, in its order, then the
drugs of its dosing (at :data:`DOSING_DRUGS`)."""
POSITION: dict[str, int] = {name: index for index, name in enumerate(FIELDS)}
DOSING_DRUGS = len(FIELDS)


def facts(study: Study) -> Facts:
    """The facts of ``study`` that the filters read."""
    return [field.get(study) for field in FIELDS.values()] + [[r.drug for r in study.dosing]]


FACTS = Summary("filter-facts", facts, Facts, columns=len(FIELDS) + 1)
"""A study's facts, kept in the evidence index."""


def _age_includes(low: float | None, high: float | None, age: int) -> bool:
    """True when the stated numeric age range includes ``age`` ("adults" alone is not a range)."""
    if low is None and high is None:
        return False
    return (low is None or low <= age) and (high is None or age <= high)


def _searchable(study: Study) -> list[str]:
    """Titles, labels and notes: what ``--search`` looks in."""
    texts = [study.id, study.acronym, study.title, study.condition]
    if study.citation.title is not None:
        texts.append(study.citation.title)
    texts += [arm.label for arm in study.design.arms]
    texts += [e.label for e in study.design.endpoints]
    texts += [sub.label for sub in study.population.subgroups]
    for outcome in study.outcomes:
        texts += [outcome.label, *outcome.notes]
    texts += [note.text for note in study.notes]
    return texts

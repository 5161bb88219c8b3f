"""The evidence model: one typed description of a clinical study.

This module is the single source of truth for what an evidence file may say.
The loader converts parsed YAML into these structs; nothing past the loader
reads raw YAML. Rules that involve one object (a CI's limits, n against its
denominator) live in ``__post_init__``; rules that cross the study (an outcome
naming an arm that does not exist) live in :func:`reference_problems`.

Numbers are kept as the source wrote them: ``int`` stays ``int`` and ``22.0``
stays ``22.0``, so a renderer never invents or drops a decimal. "Not reached"
medians, "not estimable" limits and p-value bounds such as ``"<0.001"`` are
values of their own, never turned into numbers.

This module does not use ``from __future__ import annotations``: msgspec reads real
annotation objects directly, where text annotations would be evaluated on every run
(about 10 ms of each command).
"""

from collections.abc import Iterator
from typing import Annotated, get_args

from msgspec import Meta, Struct

from blinacli.model.design import Design, Population, Regimen, TrialStatus
from blinacli.model.provenance import Citation, Quote, Registration, Source
from blinacli.model.results import AdverseEvent, Claim, Comparison, Note, Outcome, SafetyStatement
from blinacli.model.scalars import Model, Name, Slug, Text


class Study(Model, kw_only=True, frozen=True):
    """One clinical study: its publication, design, population, dosing, outcomes and safety, with
    the source of every figure."""

    id: Slug
    """The study's id, unique in the evidence in use."""
    acronym: Name
    """The study's short name; commands accept it in place of the id."""
    title: Text
    """The study's title."""
    drugs: Annotated[list[Name], Meta(min_length=1)]
    """The drugs studied, at least one."""
    condition: Name
    """The condition studied."""
    citation: Citation
    """The publication that reports the study."""
    registrations: list[Registration] = []
    """The study's trial registry entries."""
    status: TrialStatus | None = None
    """Where the trial stands (completed, ongoing, stopped early); left out when the sources
    do not say, and shown as "not stated"."""
    sources: Annotated[list[Source], Meta(min_length=1)]
    """The documents the figures come from, at least one; every quote names one."""
    design: Design
    """How the study was designed."""
    population: Population
    """Who the study enrolled."""
    dosing: list[Regimen] = []
    """What each arm receives: one entry per arm and drug."""
    outcomes: list[Outcome] = []
    """The study's results."""
    headline: Slug | None = None
    """The id of the outcome that ``list`` shows; by default the first primary outcome."""
    safety: list[AdverseEvent | SafetyStatement] = []
    """Adverse events and statements about safety."""
    claims: list[Claim] = []
    """Key points, conclusions and limitations, verbatim, each with its source."""
    notes: list[Note] = []
    """Notes on ambiguities in the sources, recorded instead of resolved."""

    # -- look-ups used by views -------------------------------------------------

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def group_label(self, group_id: str) -> str:
        for arm in self.design.arms:
            if arm.id == group_id:
                return arm.label
        for sub in self.population.subgroups:
            if sub.id == group_id:
                return sub.label
        return group_id

    def population_label(self, population: str | None) -> str:
        if population is None:
            return "not stated"
        if population == "all":
            return "all"
        return self.group_label(population)

    def analysis_label(self, outcome: Outcome) -> str:
        """The population an outcome was analysed in, in words: the analysis set as the source
        defines it ("113 evaluable patients of 116 treated"), within its subgroup if any; else
        the subgroup, "all", or "not stated"."""
        analysis = outcome.analysis
        if analysis is None:
            return self.population_label(outcome.population)
        if analysis.of is None:
            text = analysis.label + (f" (n = {analysis.n})" if analysis.n is not None else "")
        else:
            counted = analysis.label if analysis.n is None else f"{analysis.n} {analysis.label}"
            text = f"{counted} of {analysis.of}"
            text += f" {analysis.of_label}" if analysis.of_label else ""
        if outcome.population not in (None, "all"):
            text += f", in {self.group_label(outcome.population)}"
        return text

    def is_arm(self, group_id: str) -> bool:
        return any(arm.id == group_id for arm in self.design.arms)

    def arm_role(self, group_id: str) -> str | None:
        return next((arm.role for arm in self.design.arms if arm.id == group_id), None)

    def intervention_of(self, comparison: Comparison) -> str | None:
        """Which of a comparison's groups is the intervention: as the file says; else, between
        arms, the one experimental arm, or the first group; None between subgroups."""
        first, second = comparison.groups
        if not (self.is_arm(first) and self.is_arm(second)):
            return None
        if comparison.intervention is not None:
            return comparison.intervention
        experimental = [g for g in (first, second) if self.arm_role(g) == "experimental"]
        return experimental[0] if len(experimental) == 1 else first

    def headline_outcome(self) -> Outcome | None:
        if self.headline is not None:
            return next(o for o in self.outcomes if o.id == self.headline)
        primary = [o for o in self.outcomes if o.role == "primary"]
        return primary[0] if primary else (self.outcomes[0] if self.outcomes else None)


# --- Rules across the study ---------------------------------------------------------

Path = tuple[str | int, ...]


def reference_problems(study: Study) -> list[tuple[Path, str]]:
    """Every cross-reference in ``study`` that points nowhere, or repeats an id.

    Returns (path, message) pairs, paths as sequences of keys and indexes, so
    the loader can point at the file line of each.
    """
    return list(_reference_problems(study))


def _duplicates(items: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item in seen:
            yield index, item
        seen.add(item)


def _choices(ids: list[str]) -> str:
    return ", ".join(repr(i) for i in ids) if ids else "none are defined"


def _reference_problems(study: Study) -> Iterator[tuple[Path, str]]:
    arms = [a.id for a in study.design.arms]
    subgroups = [s.id for s in study.population.subgroups]
    sources = [s.id for s in study.sources]
    outcomes = [o.id for o in study.outcomes]
    groups = arms + subgroups

    for index, dup in _duplicates(arms):
        yield ("design", "arms", index, "id"), f"arm id {dup!r} is used twice"
    for index, dup in _duplicates(subgroups):
        yield ("population", "subgroups", index, "id"), f"subgroup id {dup!r} is used twice"
    for index, sub in enumerate(subgroups):
        if sub in arms:
            yield ("population", "subgroups", index, "id"), f"subgroup id {sub!r} is also an arm id"
    for index, dup in _duplicates(sources):
        yield ("sources", index, "id"), f"source id {dup!r} is used twice"
    for index, dup in _duplicates(outcomes):
        yield ("outcomes", index, "id"), f"outcome id {dup!r} is used twice"
    reserved = "'all' is reserved for the whole population; choose another id"
    for index, arm in enumerate(arms):
        if arm == "all":
            yield ("design", "arms", index, "id"), reserved
    for index, sub in enumerate(subgroups):
        if sub == "all":
            yield ("population", "subgroups", index, "id"), reserved

    def arm_ref(path: Path, value: str | None) -> Iterator[tuple[Path, str]]:
        if value is not None and value not in arms:
            yield path, f"no arm {value!r}; arms are {_choices(arms)}"

    def group_ref(path: Path, value: str) -> Iterator[tuple[Path, str]]:
        if value not in groups:
            yield path, f"no arm or subgroup {value!r}; defined: {_choices(groups)}"

    for i, stage in enumerate(study.design.enrollment):
        yield from arm_ref(("design", "enrollment", i, "arm"), stage.arm)
    for i, regimen in enumerate(study.dosing):
        yield from arm_ref(("dosing", i, "arm"), regimen.arm)
    for i, item in enumerate(study.safety):
        yield from arm_ref(("safety", i, "arm"), item.arm)
    for i, outcome in enumerate(study.outcomes):
        if outcome.population not in (None, "all") and outcome.population not in subgroups:
            known = f"one of {_choices(subgroups)}" if subgroups else "define the subgroup"
            yield (
                ("outcomes", i, "population"),
                f"no subgroup {outcome.population!r}; use 'all' or {known}",
            )
        for j, result in enumerate(outcome.results):
            yield from group_ref(("outcomes", i, "results", j, "group"), result.group)
        if outcome.comparison is not None:
            for j, group in enumerate(outcome.comparison.groups):
                yield from group_ref(("outcomes", i, "comparison", "groups", j), group)
            chosen = outcome.comparison.intervention
            if chosen is not None and chosen not in arms:
                yield (
                    ("outcomes", i, "comparison", "intervention"),
                    f"{chosen!r} is not an arm: a comparison of subgroups has no intervention; "
                    "leave `intervention` out",
                )
    ratio = study.design.allocation_ratio
    if ratio is not None:
        for j, arm in enumerate(ratio.arms):
            yield from arm_ref(("design", "allocation_ratio", "arms", j), arm)
        parts = len(ratio.arms) if ratio.arms else len(arms)
        if len(ratio.ratio) != parts:
            whose = "`arms` lists" if ratio.arms else "the design has"
            yield (
                ("design", "allocation_ratio", "ratio"),
                f"the ratio has {len(ratio.ratio)} parts but {whose} {parts} arms",
            )
    follow_up = study.design.follow_up
    for j, entry in enumerate(study.design.follow_ups()):
        at: Path = (
            ("design", "follow_up", j) if isinstance(follow_up, list) else ("design", "follow_up")
        )
        yield from arm_ref((*at, "arm"), entry.arm)
    if study.headline is not None and study.headline not in outcomes:
        yield ("headline",), f"no outcome {study.headline!r}; outcomes are {_choices(outcomes)}"
    for i, claim in enumerate(study.claims):
        if claim.source not in sources:
            yield ("claims", i, "source"), f"no source {claim.source!r}; {_sources(sources)}"
    for path, quote in _quotes(study):
        if quote.source not in sources:
            yield path + ("source",), f"no source {quote.source!r}; {_sources(sources)}"


def format_path(path: Path) -> str:
    """("outcomes", 2, "ci") -> ``outcomes[2].ci``: how paths are shown to users."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _sources(sources: list[str]) -> str:
    return f"sources are {_choices(sources)}"


def _holds_quotes(kind: object, seen: frozenset[object] = frozenset()) -> bool:
    """Whether a value of type ``kind`` can contain a Quote (judged from the types)."""
    if isinstance(kind, type) and issubclass(kind, Quote):
        return True
    if isinstance(kind, type) and issubclass(kind, Struct):
        if kind in seen:
            return False
        hints = _annotations(kind)
        return any(_holds_quotes(hints[name], seen | {kind}) for name in kind.__struct_fields__)
    return any(_holds_quotes(arg, seen) for arg in get_args(kind))


def _annotations(kind: type) -> dict[str, object]:
    """The field types of a struct, its bases' included (real objects: this module has
    no postponed annotations)."""
    hints: dict[str, object] = {}
    for base in reversed(kind.__mro__):
        hints.update(base.__dict__.get("__annotations__", {}))
    return hints


_QUOTED_FIELDS: dict[type, tuple[str, ...]] = {}


def _quoted_fields(kind: type) -> tuple[str, ...]:
    """The fields of struct type ``kind`` that can hold a Quote, in order (memoised)."""
    fields = _QUOTED_FIELDS.get(kind)
    if fields is None:
        hints = _annotations(kind)
        fields = _QUOTED_FIELDS[kind] = tuple(
            name
            for name in kind.__struct_fields__  # type: ignore[attr-defined]
            if _holds_quotes(hints[name])
        )
    return fields


def _quotes(node: object, path: Path = ()) -> Iterator[tuple[Path, Quote]]:
    """Every Quote in the study with its path, in document order. The walk visits only
    the fields whose types can hold a quote: it runs for every file loaded."""
    stack: list[tuple[object, Path]] = [(node, path)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, Quote):
            yield path, node
        elif isinstance(node, Struct):
            stack.extend(
                (value, (*path, name))
                for name in reversed(_quoted_fields(type(node)))
                if (value := getattr(node, name)) is not None
            )
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in reversed(list(enumerate(node))))


def quotes(study: Study) -> list[tuple[Path, Quote]]:
    """All quotes of a study with the path of the object each supports."""
    return list(_quotes(study))

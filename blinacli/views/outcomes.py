"""``outcomes ENDPOINT`` and ``outcomes --list``: Summary-of-Findings rows per endpoint,
with their forest plots, and the endpoint vocabulary with counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from blinacli.model import (
    ENDPOINT_NAMES,
    MeasureResult,
    Outcome,
    Proportion,
    Study,
    Time,
    vocabulary,
)
from blinacli.views import formatting as fmt
from blinacli.views.absolute import AbsoluteEffect, absolute_effect
from blinacli.views.comparisons import compared_groups, direction_note, outcome_notes
from blinacli.views.covered import outcome_sources
from blinacli.views.derived import MARK, DerivedFigure, outcome_figures
from blinacli.views.forest import ForestPlot, forest_plots
from blinacli.views.phrases import NOT_REPORTED, joined

NO_COMPARATOR = "no comparator"
"""A single-arm study's comparator column."""
NO_COMPARISON = "no comparison reported"
"""The comparator column of a study with several groups but no stated comparison."""
NOT_ARMS = "— (groups compared, not arms)"
"""The intervention and comparator columns of a comparison of subgroups (responders vs
nonresponders, a landmark analysis): its groups are shown as "A vs B" instead."""
SECONDARY = "from a secondary summary"


# --- outcomes ENDPOINT -----------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    """One study's analysis of the endpoint, as a Summary-of-Findings row.

    Every field but ``reported`` is display text written by
    :mod:`blinacli.views.formatting`; ``reported`` holds the results and comparison
    exactly as validated (values, CIs, p-values and the quotes they were read in).
    """

    study_id: str
    acronym: str
    outcome_id: str
    endpoint: str
    """The vocabulary term of this analysis (a narrower term than asked for, maybe)."""
    outcome: str
    """The source's own label."""
    timepoint: str
    population: str
    """The analysis population, with its n for a subgroup that reports one."""
    participants: str
    """Proportion denominators, else the randomized numbers, else the subgroup's n."""
    participants_studies: str
    """The number of participants and the study, as GRADE's "№ of participants (studies)"
    column reads: "224 (1 RCT)", "113 (1 single-arm study)", "not reported (1 RCT)"."""
    participants_n: int | None
    """The number of participants behind ``participants_studies``; None when not reported."""
    comparator: str
    """The comparator group and its value; "no comparator" for a single-arm study."""
    intervention: str
    groups_compared: str
    """For a comparison of subgroups, not arms: "A: value vs B: value" in the source's order
    (the intervention and comparator columns then say :data:`NOT_ARMS`); else ""."""
    other_groups: list[str]
    """Each group outside the comparison (a third arm, say) with its value."""
    relative_effect: str
    """The comparison as reported, e.g. "HR 0.41 (95% CI 0.23–0.73); P = 0.002", with its
    direction when the source reports it as comparator vs intervention."""
    role: str
    comment: str
    """Caveats built from the data ("single-arm study", "from a secondary summary"), or ""."""
    notes: list[str]
    """The outcome's notes, then each group's note as "Group: note"."""
    sources: list[str]
    reported: dict[str, Any]
    absolute: AbsoluteEffect
    """The anticipated absolute effect per 1000 (derived, shown marked), or why there is none."""
    derived: list[DerivedFigure] = field(default_factory=list)
    """Figures derived from the reported ones (kept apart, shown marked)."""


@dataclass(frozen=True)
class OutcomesView:
    """``outcomes ENDPOINT``: one row per study and analysis, in study order."""

    endpoint: str
    name: str
    title: str
    """The name as a heading: "Overall survival", "MRD response"."""
    covers: list[str]
    """The vocabulary terms shown: the endpoint and any narrower terms."""
    rows: list[OutcomeRow]
    not_reported_by: list[str]
    forest: list[ForestPlot] = field(default_factory=list)
    """Forest plots of the rows' ratio estimates, one per measure (none without a ratio)."""
    """Acronyms of the studies in use with no analysis of the endpoint."""

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        header = [
            "study_id",
            "acronym",
            "outcome_id",
            "endpoint",
            "outcome",
            "timepoint",
            "population",
            "participants",
            "participants_studies",
            "participants_n",
            "comparator",
            "intervention",
            "groups_compared",
            "other_groups",
            "relative_effect",
            "role",
            "comment",
            "notes",
            "sources",
            "derived",
            *ABSOLUTE_COLUMNS,
        ]
        return header, [_outcome_record(row) for row in self.rows]


def _outcome_record(row: OutcomeRow) -> list[str]:
    return [
        row.study_id,
        row.acronym,
        row.outcome_id,
        row.endpoint,
        row.outcome,
        row.timepoint,
        row.population,
        row.participants,
        row.participants_studies,
        _csv_number(row.participants_n),
        row.comparator,
        row.intervention,
        row.groups_compared,
        joined(row.other_groups),
        row.relative_effect,
        row.role,
        row.comment,
        joined(row.notes, " "),
        joined(row.sources, " "),
        joined(f"{MARK} {d.about}: {d.text} (from {d.basis})" for d in row.derived),
        *_absolute_record(row.absolute),
    ]


ABSOLUTE_COLUMNS = [
    "absolute_effect",
    "absolute_reason",
    "comparator_per_1000",
    "intervention_per_1000",
    "difference_per_1000",
    "difference_direction",
    "difference_lower_per_1000",
    "difference_lower_direction",
    "difference_upper_per_1000",
    "difference_upper_direction",
]
"""The CSV columns of a row's absolute effect: its text (marked), the reason it has none,
and its numbers per 1000 as shown, each difference a size with its direction."""


def _csv_number(value: int | None) -> str:
    return "" if value is None else str(value)


def _absolute_record(effect: AbsoluteEffect) -> list[str]:
    return [
        effect.text if effect.figure is None else f"{MARK} {effect.text}",
        effect.reason or "",
        _csv_number(effect.comparator_risk),
        _csv_number(effect.intervention_risk),
        _csv_number(effect.difference),
        effect.difference_direction or "",
        _csv_number(effect.difference_lower),
        effect.difference_lower_direction or "",
        _csv_number(effect.difference_upper),
        effect.difference_upper_direction or "",
    ]


def outcomes_view(studies: list[Study], endpoint: str) -> OutcomesView:
    """Every analysis of ``endpoint`` (a term, alias or name) and of its narrower terms."""
    term = vocabulary.resolve(endpoint)
    covers = vocabulary.matching(term)
    rows = [
        outcome_row(study, outcome)
        for study in studies
        for outcome in study.outcomes
        if outcome.endpoint in covers
    ]
    reporting = {row.study_id for row in rows}
    return OutcomesView(
        endpoint=term,
        name=ENDPOINT_NAMES[term],
        title=ENDPOINT_NAMES[term][:1].upper() + ENDPOINT_NAMES[term][1:],
        covers=list(covers),
        rows=rows,
        not_reported_by=[s.acronym for s in studies if s.id not in reporting],
        forest=forest_plots(studies, list(covers)),
    )


def outcome_row(study: Study, outcome: Outcome) -> OutcomeRow:
    comparison = outcome.comparison
    between_groups = comparison is not None and study.intervention_of(comparison) is None
    intervention, comparator = compared_groups(study, outcome)
    groups = [g for g in (intervention, comparator) if g is not None]
    others = [r for r in outcome.results if r.group not in groups]
    participants, participants_n = _participants(
        study, outcome, [*groups, *(r.group for r in others)]
    )
    return OutcomeRow(
        study_id=study.id,
        acronym=study.acronym,
        outcome_id=outcome.id,
        endpoint=outcome.endpoint,
        outcome=outcome.label,
        timepoint=fmt.timepoint(outcome.timepoint),
        population=_population(study, outcome),
        participants=participants,
        participants_studies=_participants_studies(study, participants_n),
        participants_n=participants_n,
        comparator=(
            NOT_ARMS
            if between_groups
            else _group_value(study, outcome, comparator)
            if comparator is not None
            else _no_comparator(study)
        ),
        intervention=(
            NOT_ARMS
            if between_groups
            else _group_value(study, outcome, intervention)
            if intervention
            else NOT_REPORTED
        ),
        groups_compared=(
            " vs ".join(_group_value(study, outcome, g) for g in groups) if between_groups else ""
        ),
        other_groups=[_group_value(study, outcome, r.group) for r in others],
        relative_effect=_relative_effect(study, outcome),
        role=fmt.words(outcome.role),
        comment=joined(_caveats(study, outcome, intervention, comparator)),
        notes=outcome_notes(study, outcome),
        sources=outcome_sources(outcome),
        reported={
            "results": msgspec.to_builtins(outcome.results),
            "comparison": msgspec.to_builtins(comparison),
        },
        absolute=absolute_effect(study, outcome),
        derived=outcome_figures(study, outcome),
    )


def _relative_effect(study: Study, outcome: Outcome) -> str:
    """The comparison as reported, with its direction named when the source gives it as
    comparator vs intervention, and its unconfirmed details marked."""
    comparison = outcome.comparison
    if comparison is None:
        return NOT_REPORTED
    return (
        fmt.comparison(comparison)
        + direction_note(study, comparison)
        + (fmt.unconfirmed_mark(comparison.unconfirmed))
    )


def _result_of(outcome: Outcome, group: str) -> MeasureResult | None:
    return next((r for r in outcome.results if r.group == group), None)


def _group_value(study: Study, outcome: Outcome, group: str) -> str:
    result = _result_of(outcome, group)
    if result is None:
        return f"{study.group_label(group)}: {NOT_REPORTED}"
    return (
        f"{study.group_label(group)}: {fmt.result(result)}"
        f"{fmt.unconfirmed_mark(result.unconfirmed)}"
    )


def _no_comparator(study: Study) -> str:
    return NO_COMPARATOR if study.design.allocation == "single-arm" else NO_COMPARISON


def _population(study: Study, outcome: Outcome) -> str:
    if outcome.analysis is not None:
        return study.analysis_label(outcome)
    label = study.population_label(outcome.population)
    subgroup = next((s for s in study.population.subgroups if s.id == outcome.population), None)
    if subgroup is not None and subgroup.n is not None:
        return f"{label} (n = {subgroup.n})"
    return label


def _participants(study: Study, outcome: Outcome, groups: list[str]) -> tuple[str, int | None]:
    """The participants of a row in words, and their number (None when not reported)."""
    results = [_result_of(outcome, g) for g in groups]
    totals = [r.total for r in results if isinstance(r, Proportion)]
    if results and len(totals) == len(results):
        return " + ".join(str(total) for total in totals), sum(totals)
    if outcome.analysis is not None and outcome.analysis.n is not None:
        return f"{outcome.analysis.n} {outcome.analysis.label}", outcome.analysis.n
    # The arms' randomized numbers describe the arms whatever the analysis set; a
    # subgroup's analysis is sized by the subgroup instead.
    randomized = _randomized(study, groups) if outcome.population in (None, "all") else None
    if randomized is not None:
        return randomized
    subgroup = next((s for s in study.population.subgroups if s.id == outcome.population), None)
    if subgroup is not None and subgroup.n is not None:
        return str(subgroup.n), subgroup.n
    return NOT_REPORTED, None


def _randomized(study: Study, groups: list[str]) -> tuple[str, int] | None:
    """The randomized total and per-arm sizes in ``groups`` order: "224 randomized (112 + 112)",
    with the total.

    Without per-arm sizes for every group, the randomized total alone ("80 randomized").
    """
    stages = [e for e in study.design.enrollment if e.stage == "randomized"]
    per_arm = {e.arm: e.n for e in stages if e.arm is not None}
    whole = next((e.n for e in stages if e.arm is None), None)
    if not groups or any(g not in per_arm for g in groups):
        return (f"{whole} randomized", whole) if whole is not None else None
    arms = " + ".join(str(per_arm[g]) for g in groups)
    if whole is not None:
        return f"{whole} randomized ({arms})", whole
    return f"{arms} randomized", sum(per_arm[g] for g in groups)


STUDY_KINDS = {
    "randomized": "RCT",
    "single-arm": "single-arm study",
    "non-randomized": "non-randomized study",
}
"""How GRADE's "№ of participants (studies)" column names one study of each allocation."""


def _participants_studies(study: Study, participants: int | None) -> str:
    """ "224 (1 RCT)": the row's participants and its one study, by design."""
    kind = STUDY_KINDS.get(study.design.allocation, "study")
    return f"{NOT_REPORTED if participants is None else participants} (1 {kind})"


def _caveats(
    study: Study, outcome: Outcome, intervention: str | None, comparator: str | None
) -> list[str]:
    caveats = []
    if study.design.allocation == "single-arm":
        caveats.append("single-arm study")
    elif study.design.allocation == "non-randomized":
        caveats.append("non-randomized study")
    if outcome.role == "landmark":
        groups = " vs ".join(study.group_label(g) for g in (intervention, comparator) if g)
        caveats.append(f"landmark analysis: {groups}, not a randomized comparison")
    if any(isinstance(r, Time) and r.statistic == "not-stated" for r in outcome.results):
        caveats.append("statistic not stated")
    if outcome.population is None and outcome.analysis is None:
        caveats.append("population not stated")
    if _secondary_only(study, outcome):
        caveats.append(SECONDARY)
    return caveats


def _secondary_only(study: Study, outcome: Outcome) -> bool:
    """True when any figure of the outcome was read only in secondary summaries."""
    figures = [r.cite for r in outcome.results]
    if outcome.comparison is not None:
        figures.append(outcome.comparison.cite)
    return any(
        all(study.source(q.source).kind == "secondary-summary" for q in cite) for cite in figures
    )


# --- outcomes --list ---------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointRow:
    """One vocabulary term; the counts are what ``outcomes TERM`` would show."""

    endpoint: str
    name: str
    aliases: list[str]
    narrower: list[str]
    """Terms that ``outcomes TERM`` also shows (complete-mrd-response for mrd-response)."""
    studies: int
    analyses: int


@dataclass(frozen=True)
class EndpointsView:
    """``outcomes --list``: the endpoint vocabulary with counts across the studies in use."""

    rows: list[EndpointRow]

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        header = ["endpoint", "name", "aliases", "narrower", "studies", "analyses"]
        return header, [
            [
                r.endpoint,
                r.name,
                joined(r.aliases, " "),
                joined(r.narrower, " "),
                str(r.studies),
                str(r.analyses),
            ]
            for r in self.rows
        ]


def endpoints_view(studies: list[Study]) -> EndpointsView:
    return EndpointsView([_endpoint_row(studies, term) for term in vocabulary.ENDPOINTS])


def _endpoint_row(studies: list[Study], term: str) -> EndpointRow:
    covers = vocabulary.matching(term)
    counts = [sum(o.endpoint in covers for o in study.outcomes) for study in studies]
    return EndpointRow(
        endpoint=term,
        name=ENDPOINT_NAMES[term],
        aliases=vocabulary.aliases_of(term),
        narrower=list(covers[1:]),
        studies=sum(1 for count in counts if count),
        analyses=sum(counts),
    )

"""Which group of an outcome is the intervention and which the comparator, and what a
reader should know beside its figures: shared by ``show``, ``outcomes`` and ``compare`` so
they cannot disagree.

Nothing here depends on the order of results in the file: arms are told apart by their
roles, and a comparison by :meth:`blinacli.model.Study.intervention_of`.
"""

from __future__ import annotations

from blinacli.model import COMPARATOR_ROLES, Comparison, MeasureResult, Outcome, Study
from blinacli.views import formatting as fmt


def compared_groups(study: Study, outcome: Outcome) -> tuple[str | None, str | None]:
    """(intervention, comparator): a comparison's arms by role, whatever order the source
    reports them in; a comparison of subgroups in the source's order; without a comparison,
    the experimental arm against a comparator arm when the results hold both, else the first
    result alone."""
    comparison = outcome.comparison
    if comparison is not None:
        first, second = comparison.groups
        chosen = study.intervention_of(comparison)
        return (second, first) if chosen == second else (first, second)
    reported = [r.group for r in outcome.results]
    experimental = [g for g in reported if study.arm_role(g) == "experimental"]
    control = [g for g in reported if study.arm_role(g) in COMPARATOR_ROLES]
    if len(experimental) == 1 and len(control) == 1:
        return experimental[0], control[0]
    return (reported[0] if reported else None), None


def ordered_results(study: Study, outcome: Outcome) -> list[MeasureResult]:
    """An outcome's results with the intervention first and the comparator second, then the
    other groups in the file's order: the same display whatever order the file lists them."""
    first, second = compared_groups(study, outcome)
    rank = {group: index for index, group in enumerate((first, second)) if group is not None}
    return sorted(outcome.results, key=lambda r: rank.get(r.group, len(rank)))


def direction_note(study: Study, comparison: Comparison) -> str:
    """ "; reported as Chemotherapy vs Blinatumomab (comparator vs intervention)" for an
    estimate the source gives the other way round; "" otherwise."""
    first, second = comparison.groups
    if comparison.estimate is None or study.intervention_of(comparison) != second:
        return ""
    return (
        f"; reported as {study.group_label(first)} vs {study.group_label(second)} "
        "(comparator vs intervention)"
    )


def outcome_notes(study: Study, outcome: Outcome) -> list[str]:
    """Everything a reader should know beside the figures, in one list: the endpoint's
    definition, the outcome's notes and unconfirmed details, then each result's and the
    comparison's."""
    notes = [f"Definition: {outcome.definition}"] if outcome.definition else []
    notes += [*outcome.notes, *fmt.unconfirmed_notes(outcome.unconfirmed)]
    for r in outcome.results:
        label = study.group_label(r.group)
        notes += [f"{label}: {r.note}"] if r.note else []
        notes += fmt.unconfirmed_notes(r.unconfirmed, label)
    comparison = outcome.comparison
    if comparison is not None:
        notes += [f"Comparison: {comparison.note}"] if comparison.note else []
        notes += fmt.unconfirmed_notes(comparison.unconfirmed, "Comparison")
    return notes

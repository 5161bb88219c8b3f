"""What a change in the evidence moves: derived figures, and integrity findings.

A reported figure that changes moves the figures blinacli derives from it (a Wilson
interval, a risk difference and its number needed to treat, the p-value a CI
implies, absolute effects): :func:`derived_changes` sets each outcome's derived figures
on both sides side by side, matched by (outcome id, kind, groups). And it may make
the figures disagree, or agree again: :func:`finding_changes` sets the integrity
findings of ``blinacli check`` side by side, matched by (study, rule, path), the path
by identities so that a finding that only moved with its block is the same finding.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal, NamedTuple

from blinacli.load.loader import LoadedStudy
from blinacli.model import Outcome, Study
from blinacli.views.absolute import absolute_effect
from blinacli.views.checks import CheckFinding, check_studies
from blinacli.views.derived import DerivedFigure, figure_json, outcome_figures
from blinacli.views.diff_walk import pair, stable_path
from blinacli.views.diff_words import NOT_GIVEN

_MOVES = ("text", "value", "lower", "upper", "level", "unit", "number_needed")
"""What a derived figure is: a change in its label alone (an arm renamed) moves nothing."""


class DerivedRaw(NamedTuple):
    """One derived figure that moved, appeared or went, in one outcome."""

    kind: Literal["changed", "added", "removed"]
    path: str
    """``outcomes[os-3-years].derived[risk-difference,blinatumomab,chemotherapy]``."""
    where: tuple[str, ...]
    old: dict[str, Any] | None
    """The figure's JSON (text and numbers) on the old side; None when it has none."""
    new: dict[str, Any] | None
    old_text: str
    new_text: str


KIND_WORDS = {
    "wilson-interval": "Wilson interval",
    "risk-difference": "risk difference",
    "group-difference": "difference between groups",
    "p-from-ci": "P implied by the CI",
    "absolute-effect": "absolute effect per 1000",
}
"""Each kind of derived figure in words; a kind not named here reads as its own name."""


def _identity(figure: DerivedFigure) -> tuple[str, ...]:
    return (figure.kind, *figure.groups)


def _moved(old: DerivedFigure, new: DerivedFigure) -> bool:
    before, after = figure_json(old), figure_json(new)
    return any(before[name] != after[name] for name in _MOVES)


def _figures(study: Study, outcome: Outcome) -> list[DerivedFigure]:
    """Every figure derived for an outcome: those its views show beside the reported
    figures, and its anticipated absolute effect per 1000 when it has one."""
    absolute = absolute_effect(study, outcome).figure
    return [*outcome_figures(study, outcome), *([absolute] if absolute is not None else [])]


def derived_changes(old: Study, new: Study) -> list[DerivedRaw]:
    """The derived figures that differ between two versions of a study, in the outcomes
    both versions have (an outcome added or removed is reported as such, with its
    figures)."""
    before = {outcome.id: outcome for outcome in old.outcomes}
    found: list[DerivedRaw] = []
    for outcome in new.outcomes:
        previous = before.get(outcome.id)
        if previous is None:
            continue
        olds, news = _figures(old, previous), _figures(new, outcome)
        matches = pair(olds, news, lambda a, b: int(_moved(a, b)), key=_identity)
        for i, j in matches:
            figure = news[j] if j is not None else olds[i]  # type: ignore[index]
            path = f"outcomes[{outcome.id}].derived[{','.join(_identity(figure))}]"
            where = (
                outcome.label,
                figure.about,
                KIND_WORDS.get(figure.kind, figure.kind.replace("-", " ")),
            )
            if i is None:
                found.append(
                    DerivedRaw(
                        "added", path, where, None, figure_json(figure), NOT_GIVEN, figure.text
                    )
                )
            elif j is None:
                found.append(
                    DerivedRaw(
                        "removed", path, where, figure_json(figure), None, figure.text, NOT_GIVEN
                    )
                )
            elif _moved(olds[i], news[j]):
                found.append(
                    DerivedRaw(
                        "changed",
                        path,
                        where,
                        figure_json(olds[i]),
                        figure_json(news[j]),
                        olds[i].text,
                        news[j].text,
                    )
                )
    return found


class FindingRaw(NamedTuple):
    """An integrity finding one side has and the other has not."""

    kind: Literal["introduced", "resolved"]
    study: str
    """The study's id on the new side (its old id, for a study since removed)."""
    path: str
    """The finding's path by identities."""
    finding: CheckFinding
    """The finding as ``check`` reports it, on the side that has it."""


def finding_changes(
    old: list[LoadedStudy], new: list[LoadedStudy], renamed: dict[str, str]
) -> list[FindingRaw]:
    """The findings introduced by the new side and resolved by it: ``old`` and ``new``
    are the studies to check on each side, ``renamed`` maps a renamed study's old id to
    its new one. Findings are compared by (study, rule, path) and counted, so two
    findings at one place are two."""

    def keyed(loaded: list[LoadedStudy], rename: dict[str, str]) -> list[tuple[Any, ...]]:
        studies = {item.study.id: item.study for item in loaded}
        out = []
        for finding in check_studies(loaded).findings:
            study = rename.get(finding.study, finding.study)
            path = stable_path(studies[finding.study], finding.path)
            out.append(((study, finding.rule, path), finding))
        return out

    before, after = keyed(old, renamed), keyed(new, {})
    left = Counter(key for key, _ in before)
    right = Counter(key for key, _ in after)
    found: list[FindingRaw] = []
    for key, finding in after:
        if left[key] > 0:
            left[key] -= 1
        else:
            found.append(FindingRaw("introduced", key[0], key[2], finding))
    for key, finding in before:
        if right[key] > 0:
            right[key] -= 1
        else:
            found.append(FindingRaw("resolved", key[0], key[2], finding))
    return found

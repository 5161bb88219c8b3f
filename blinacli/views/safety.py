"""``safety``: adverse events and qualitative safety statements across studies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from blinacli.base.errors import UsageError
from blinacli.model import AdverseEvent, SafetyStatement, Study, grade_bounds
from blinacli.views import formatting as fmt
from blinacli.views.covered import credit_for
from blinacli.views.phrases import NOT_REPORTED, joined

MIN_GRADE, MAX_GRADE = 1, 5


@dataclass(frozen=True)
class SafetyEventRow:
    """One adverse-event figure: display text, its sources, and the event as validated."""

    study_id: str
    acronym: str
    arm: str
    """The arm's label, or "all" when the source names no arm."""
    category: str
    """The category, with the term after a colon when there is one."""
    grade: str
    """The grade as reported: 1 to 5, "any", or a range such as "≥3" or "3–4"."""
    grade_min: int | None
    """The lowest grade the figure covers (3 for "3–4"); None for "any"."""
    grade_max: int | None
    """The highest grade the figure covers (5 for "≥3"); None for "any"."""
    n: str
    percent: str
    denominator: str
    """The stated denominator, or "not stated"."""
    timing: str
    note: str | None
    unconfirmed: str
    """Details the sources leave in doubt, as marked on screen; "" when none."""
    sources: list[str]
    reported: dict[str, Any]

    @property
    def count(self) -> str:
        """The n with the percent as the source gave them: "12 (10%)", "12" or "2.5%"."""
        if self.percent == NOT_REPORTED:
            return self.n
        return self.percent if self.n == NOT_REPORTED else f"{self.n} ({self.percent})"


@dataclass(frozen=True)
class SafetyStatementRow:
    """A qualitative safety statement, verbatim, with its sources."""

    study_id: str
    acronym: str
    arm: str
    category: str
    text: str
    note: str | None
    unconfirmed: str
    """Details the sources leave in doubt, as marked on screen; "" when none."""
    sources: list[str]


@dataclass(frozen=True)
class SafetyView:
    """``safety``: adverse events and statements across studies, in study order.

    ``min_grade`` keeps events whose every grade is that grade or higher (see
    :func:`at_least`) and drops "any grade" figures, which cannot be placed on the
    scale; statements carry no grade and are filtered by ``category`` only.
    """

    category: str | None
    min_grade: int | None
    filters: list[str]
    """The filters in words, e.g. "grade 3 or higher (...)"."""
    events: list[SafetyEventRow]
    statements: list[SafetyStatementRow]
    studies: list[str]
    """Acronyms of the studies with events or statements shown, in study order."""
    not_reported_by: list[str]
    """Acronyms of the studies in use that record no safety data at all."""

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        header = [
            "kind",
            "study_id",
            "acronym",
            "arm",
            "category",
            "grade",
            "grade_min",
            "grade_max",
            "n",
            "percent",
            "denominator",
            "timing",
            "text",
            "note",
            "sources",
        ]
        events = [
            ["event", e.study_id, e.acronym, e.arm, e.category, e.grade]
            + [_number_cell(e.grade_min), _number_cell(e.grade_max), e.n, e.percent]
            + [e.denominator, e.timing, "", _note(e.note, e.unconfirmed), joined(e.sources, " ")]
            for e in self.events
        ]
        statements = [
            ["statement", s.study_id, s.acronym, s.arm, s.category, "", "", "", "", "", "", ""]
            + [s.text, _note(s.note, s.unconfirmed), joined(s.sources, " ")]
            for s in self.statements
        ]
        return header, events + statements


def safety_view(
    studies: list[Study], category: str | None = None, min_grade: int | None = None
) -> SafetyView:
    """Adverse events and statements; ``category`` matches category or term, any case."""
    if min_grade is not None and not MIN_GRADE <= min_grade <= MAX_GRADE:
        raise UsageError(f"--min-grade must be {MIN_GRADE} to {MAX_GRADE}, not {min_grade}")
    wanted = category.casefold() if category is not None else None
    events: list[SafetyEventRow] = []
    statements: list[SafetyStatementRow] = []
    for study in studies:
        for item in study.safety:
            if wanted is not None and not _matches(item, wanted):
                continue
            if isinstance(item, SafetyStatement):
                statements.append(_statement_row(study, item))
            elif min_grade is None or at_least(item, min_grade):
                events.append(_event_row(study, item))
    shown = {row.acronym for row in events} | {row.acronym for row in statements}
    return SafetyView(
        category=category,
        min_grade=min_grade,
        filters=_filters(category, min_grade),
        events=events,
        statements=statements,
        studies=[s.acronym for s in studies if s.acronym in shown],
        not_reported_by=[s.acronym for s in studies if not s.safety],
    )


def at_least(event: AdverseEvent, min_grade: int) -> bool:
    """Whether every grade an event covers is ``min_grade`` or higher: grade 3, "3–4" and
    "≥3" are at least 3; "2–3" is not, since it may hold grade 2 events; "any" is on no
    place of the scale and never passes."""
    bounds = grade_bounds(event.grade)
    return bounds is not None and bounds[0] >= min_grade


def _filters(category: str | None, min_grade: int | None) -> list[str]:
    filters = []
    if category is not None:
        filters.append(f"category or term containing “{category}”")
    if min_grade is not None:
        filters.append(
            f"grade {min_grade} or higher (any-grade figures and ranges reaching below it left out)"
        )
    return filters


def _matches(item: AdverseEvent | SafetyStatement, wanted: str) -> bool:
    term = item.term if isinstance(item, AdverseEvent) else None
    return any(wanted in text.casefold() for text in (item.category, term) if text)


def _number_cell(value: int | None) -> str:
    return "" if value is None else str(value)


def _note(note: str | None, unconfirmed: str) -> str:
    """A figure's note and its unconfirmed details, in one cell."""
    return "; ".join(part for part in (note, unconfirmed) if part)


def _arm(study: Study, arm: str | None) -> str:
    return study.group_label(arm) if arm else "all"


def _event_row(study: Study, event: AdverseEvent) -> SafetyEventRow:
    return SafetyEventRow(
        study_id=study.id,
        acronym=study.acronym,
        arm=_arm(study, event.arm),
        category=event.category + (f": {event.term}" if event.term else ""),
        grade=fmt.grade(event.grade),
        grade_min=bounds[0] if (bounds := grade_bounds(event.grade)) else None,
        grade_max=bounds[1] if bounds else None,
        n=str(event.n) if event.n is not None else NOT_REPORTED,
        percent=fmt.percent(event.percent) if event.percent is not None else NOT_REPORTED,
        denominator=str(event.total) if event.total is not None else "not stated",
        timing=event.timing or "",
        note=event.note,
        unconfirmed=fmt.unconfirmed(event.unconfirmed),
        sources=credit_for(event.cite, event),
        reported=msgspec.to_builtins(event),
    )


def _statement_row(study: Study, item: SafetyStatement) -> SafetyStatementRow:
    return SafetyStatementRow(
        study_id=study.id,
        acronym=study.acronym,
        arm=_arm(study, item.arm),
        category=item.category,
        text=item.text,
        note=item.note,
        unconfirmed=fmt.unconfirmed(item.unconfirmed),
        sources=credit_for(item.cite, text=item.text),
    )

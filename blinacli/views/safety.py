"""``safety``: adverse events and qualitative safety statements across studies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from blinacli.base.errors import UsageError
from blinacli.model import AdverseEvent, SafetyStatement, Study
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
    """The grade as reported: 1 to 5, or "any"."""
    n: str
    percent: str
    denominator: str
    """The stated denominator, or "not stated"."""
    timing: str
    note: str | None
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
    sources: list[str]


@dataclass(frozen=True)
class SafetyView:
    """``safety``: adverse events and statements across studies, in study order.

    ``min_grade`` keeps events of that numeric grade or higher and drops
    "any grade" figures, which cannot be placed on the scale; statements carry
    no grade and are filtered by ``category`` only.
    """

    category: str | None
    min_grade: int | None
    filters: list[str]
    """The filters in words, e.g. "grade 3 or higher (any-grade figures left out)"."""
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
            "n",
            "percent",
            "denominator",
            "timing",
            "text",
            "note",
            "sources",
        ]
        events = [
            ["event", e.study_id, e.acronym, e.arm, e.category, e.grade, e.n, e.percent]
            + [e.denominator, e.timing, "", e.note or "", joined(e.sources, " ")]
            for e in self.events
        ]
        statements = [
            ["statement", s.study_id, s.acronym, s.arm, s.category, "", "", "", "", ""]
            + [s.text, s.note or "", joined(s.sources, " ")]
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
            elif min_grade is None or (item.grade != "any" and item.grade >= min_grade):
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


def _filters(category: str | None, min_grade: int | None) -> list[str]:
    filters = []
    if category is not None:
        filters.append(f"category or term containing “{category}”")
    if min_grade is not None:
        filters.append(f"grade {min_grade} or higher (any-grade figures left out)")
    return filters


def _matches(item: AdverseEvent | SafetyStatement, wanted: str) -> bool:
    term = item.term if isinstance(item, AdverseEvent) else None
    return any(wanted in text.casefold() for text in (item.category, term) if text)


def _arm(study: Study, arm: str | None) -> str:
    return study.group_label(arm) if arm else "all"


def _event_row(study: Study, event: AdverseEvent) -> SafetyEventRow:
    return SafetyEventRow(
        study_id=study.id,
        acronym=study.acronym,
        arm=_arm(study, event.arm),
        category=event.category + (f": {event.term}" if event.term else ""),
        grade=str(event.grade),
        n=str(event.n) if event.n is not None else NOT_REPORTED,
        percent=fmt.percent(event.percent) if event.percent is not None else NOT_REPORTED,
        denominator=str(event.total) if event.total is not None else "not stated",
        timing=event.timing or "",
        note=event.note,
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
        sources=credit_for(item.cite, text=item.text),
    )

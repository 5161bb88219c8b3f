"""The ``list`` view: one row per study, computed once as plain data.

A view holds display-ready text (written by :mod:`blinacli.views.formatting`) and the
source ids behind each figure. The terminal table, the Markdown and the JSON of
a command all come from the same view, so they cannot disagree.

Views are frozen msgspec Structs rather than dataclasses: a lookup defines a dozen of
them at start-up, and a Struct class is made in a tenth of the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from blinacli.load.cache import Summary

if TYPE_CHECKING:
    from blinacli.load.loader import LoadedStudy
    from blinacli.model import Outcome, Study

# The modules that make a row are imported by the functions that make one: a list
# whose rows all come from the evidence index never needs them.


class StudyRow(msgspec.Struct, frozen=True):
    id: str
    acronym: str
    author_year: str
    design: str
    population: str
    n: str
    headline: str
    headline_sources: list[str]
    phase: int | str
    allocation: str
    n_value: int | None
    n_stage: str | None
    headline_outcome: str | None


class ListView(msgspec.Struct, frozen=True):
    rows: list[StudyRow]

    def to_json(self) -> dict[str, Any]:
        return {"studies": msgspec.to_builtins(self.rows)}

    def json_compact(self) -> bytes:
        """:meth:`to_json` as compact JSON in UTF-8, exactly as ``json.dumps(...,
        ensure_ascii=False, separators=(",", ":"))`` writes it, encoded by msgspec from
        the rows themselves (a fifth of the time at 10,000 rows). The two agree because
        a row holds only text, whole numbers, None and lists of text, which both write
        alike; msgspec writes a float otherwise than Python (``1e-05`` as ``0.00001``),
        so a row must never hold one (held by a test)."""
        return msgspec.json.encode({"studies": self.rows})

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        header = list(StudyRow.__struct_fields__)
        return header, [[_csv_value(getattr(row, name)) for name in header] for row in self.rows]


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def list_view(studies: list[Study]) -> ListView:
    return ListView([_row(study) for study in studies])


def list_view_of(loaded: Sequence[LoadedStudy]) -> ListView:
    """The list of the studies ``loaded``, each row from the evidence index where it
    keeps one (made by :func:`_row` when the study was indexed), else made now."""
    from blinacli.load.loader import summaries_of

    return ListView(summaries_of(loaded, ROW))


def _row(study: Study) -> StudyRow:
    from blinacli.views.covered import outcome_sources
    from blinacli.views.phrases import design_phrase, population_phrase, study_size

    headline = study.headline_outcome()
    size = study_size(study)
    return StudyRow(
        id=study.id,
        acronym=study.acronym,
        author_year=f"{study.citation.authors[0]} {study.citation.year}",
        design=design_phrase(study),
        population=population_phrase(study),
        n=f"{size[1]} {size[0]}" if size else "not reported",
        headline=headline_text(study, headline) if headline else "no outcomes recorded",
        headline_sources=outcome_sources(headline) if headline else [],
        phase=study.design.phase,
        allocation=study.design.allocation,
        n_value=size[1] if size else None,
        n_stage=size[0] if size else None,
        headline_outcome=headline.id if headline else None,
    )


ROW = Summary("list-row", _row, StudyRow)
"""A study's row of the list, kept in the evidence index."""


def headline_text(study: Study, outcome: Outcome) -> str:
    from blinacli.model import ENDPOINT_NAMES
    from blinacli.views import formatting as fmt
    from blinacli.views.comparisons import direction_note, ordered_results

    name = ENDPOINT_NAMES[outcome.endpoint]
    name = name[:1].upper() + name[1:]
    if outcome.timepoint is not None:
        name += f" at {outcome.timepoint.label}" if outcome.timepoint.value else ""
    labelled = len(outcome.results) > 1
    values = " vs ".join(
        f"{study.group_label(r.group)} {fmt.result(r)}" if labelled else fmt.result(r)
        for r in ordered_results(study, outcome)
    )
    text = f"{name}: {values}" if values else name
    if outcome.comparison is not None:
        text += f"; {fmt.comparison(outcome.comparison)}"
        text += direction_note(study, outcome.comparison)
    return text

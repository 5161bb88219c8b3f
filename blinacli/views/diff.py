"""``diff``: what changed between two versions of an evidence base, figure by figure.

A reviewer of a pull request to an evidence base reads, instead of a YAML diff, what
changed in the evidence, in the order they need it: studies added and removed; per
study, the figures and facts changed (old → new), the items added or removed
(outcomes, arms, adverse events, claims...), the quotes and the sources credited
with a figure; the derived figures that moved because of it (marked derived); and
the integrity findings of ``blinacli check`` introduced or resolved.

Studies are matched by id, and a study whose id changed is recognised by a registry
id that it alone has on both sides. Everything inside a study is matched by identity
(:mod:`blinacli.views.diff_walk`), so a moved or reordered block is no change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from blinacli.base.findings import location, plural
from blinacli.load.loader import LoadedStudy
from blinacli.model import Study
from blinacli.views.diff_effects import DerivedRaw, FindingRaw, derived_changes, finding_changes
from blinacli.views.diff_walk import Raw, study_changes
from blinacli.views.diff_words import NOT_GIVEN, as_json
from blinacli.views.phrases import citation_text

SEPARATOR = " › "
"""Between the steps of a change's place in words: "Overall survival › comparison › P"."""


@dataclass
class Side:
    """One version of the evidence, as loaded: what to call it and its studies."""

    label: str
    """How the reader names it: the path or the revision as given ("main", "old/")."""
    loaded: list[LoadedStudy]
    files: int = 0
    """How many evidence files it was read from."""
    shown: Callable[[str], str] = field(default=lambda file: file)
    """A file of this side as the reader names it (a revision's "main:evidence/x.yaml")."""


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One change, with its place and its old and new values as data and as text."""

    section: str
    """studies, figures, items, quotes, derived or integrity."""
    kind: str
    """added, removed, renamed or changed; for integrity, introduced or resolved."""
    study: str
    """The study's id (on the new side; the old id for a study removed)."""
    acronym: str
    path: str
    """Where it is in the study, by identities, e.g.
    ``outcomes[os-3-years].comparison.estimate``; "" for a whole study."""
    where: str
    """Where it is, in words: "Overall survival at 3 years › comparison › estimate"."""
    old: Any
    """The old value as data (a number stays a number); null when the old side has none."""
    new: Any
    old_text: str
    """The old value as views write it ("0.41", "95% CI 0.23–0.73"); NOT_GIVEN if none."""
    new_text: str
    derived: bool = False
    """A figure blinacli derived, never one the sources report."""


class StudyEntry(msgspec.Struct, frozen=True):
    """A study added or removed."""

    id: str
    acronym: str
    citation: str
    """Its citation, Vancouver style."""
    file: str


class StudyChanges(msgspec.Struct, frozen=True, kw_only=True):
    """The changes inside one study that both sides have."""

    id: str
    acronym: str
    renamed_from: str | None
    """The study's old id when its id changed (recognised by its registry id)."""
    figures: list[Change]
    """Figures and facts changed, old → new."""
    items: list[Change]
    """Outcomes, arms, results, adverse events, claims and other items added or removed."""
    quotes: list[Change]
    """Quotes added, removed or reworded, and the sources credited with a figure."""
    derived: list[Change]
    """Derived figures that moved, appeared or went (marked derived)."""

    @property
    def count(self) -> int:
        return len(self.figures) + len(self.items) + len(self.quotes) + len(self.derived)


class FindingChange(msgspec.Struct, frozen=True, kw_only=True):
    """An integrity finding introduced or resolved by the new side."""

    kind: str
    """introduced or resolved."""
    study: str
    acronym: str
    rule: str
    severity: str
    """error or warning."""
    path: str
    """Where it is in the study, by identities."""
    message: str
    reported: str
    derived: str
    location: str
    """file:line:column on the side that has it, the file named as the reader knows it."""


class SideSummary(msgspec.Struct, frozen=True):
    label: str
    studies: int
    files: int


class DiffView(msgspec.Struct, frozen=True, kw_only=True):
    """``diff``: every change between two versions of the evidence, in a reviewer's order."""

    old: SideSummary
    new: SideSummary
    changed: bool
    """Whether anything changed; ``--exit-code`` exits 1 when it did."""
    summary: str
    """One line: what changed, in counts; or that nothing did."""
    added: list[StudyEntry]
    removed: list[StudyEntry]
    studies: list[StudyChanges]
    """The studies both sides have that changed, in the new side's order."""
    findings: list[FindingChange]
    """Integrity findings introduced (first) and resolved."""
    introduced_errors: int
    """How many integrity errors the new side introduces (a CI job fails on any)."""

    def changes(self) -> list[Change]:
        """Every change as one list: studies added, removed and renamed, then each
        study's changes, then the integrity findings."""
        out = [_entry_change(entry, "added") for entry in self.added]
        out += [_entry_change(entry, "removed") for entry in self.removed]
        for study in self.studies:
            if study.renamed_from is not None:
                out.append(_renamed(study))
            out += [*study.figures, *study.items, *study.quotes, *study.derived]
        out += [_finding_change(finding) for finding in self.findings]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "old": msgspec.to_builtins(self.old),
            "new": msgspec.to_builtins(self.new),
            "changed": self.changed,
            "summary": self.summary,
            "introduced_errors": self.introduced_errors,
            "changes": [msgspec.to_builtins(change) for change in self.changes()],
        }

    def to_csv(self) -> tuple[list[str], list[list[str]]]:
        header = ["section", "kind", "study", "path", "where", "old", "new", "derived"]
        rows = [
            [
                c.section,
                c.kind,
                c.study,
                c.path,
                c.where,
                c.old_text,
                c.new_text,
                "yes" if c.derived else "no",
            ]
            for c in self.changes()
        ]
        return header, rows


# --- Building the view -----------------------------------------------------------------------


def diff_view(old: Side, new: Side) -> DiffView:
    """What changed from ``old`` to ``new``."""
    before = {item.study.id: item for item in old.loaded}
    after = {item.study.id: item for item in new.loaded}
    renamed = _renamed_studies(
        [i.study for i in old.loaded if i.study.id not in after],
        [i.study for i in new.loaded if i.study.id not in before],
    )
    partner = {new_id: old_id for old_id, new_id in renamed.items()}
    to_check_old: list[LoadedStudy] = []
    to_check_new: list[LoadedStudy] = []
    added: list[StudyEntry] = []
    studies: list[StudyChanges] = []
    for item in new.loaded:
        old_id = partner.get(item.study.id, item.study.id)
        previous = before.get(old_id)
        if previous is None:
            added.append(_entry(item, new))
            to_check_new.append(item)
            continue
        if _same_study(previous.study, item.study):
            continue
        to_check_old.append(previous)
        to_check_new.append(item)
        changes = _study_changes(previous.study, item.study)
        if changes.count or changes.renamed_from is not None:
            studies.append(changes)
    matched = {partner.get(i.study.id, i.study.id) for i in new.loaded}
    removed = [_entry(item, old) for item in old.loaded if item.study.id not in matched]
    to_check_old += [item for item in old.loaded if item.study.id not in matched]
    findings = _findings(finding_changes(to_check_old, to_check_new, renamed), old, new)
    errors = sum(1 for f in findings if f.kind == "introduced" and f.severity == "error")
    view = DiffView(
        old=SideSummary(old.label, len(old.loaded), old.files),
        new=SideSummary(new.label, len(new.loaded), new.files),
        changed=bool(added or removed or studies or findings),
        summary="",
        added=added,
        removed=removed,
        studies=studies,
        findings=findings,
        introduced_errors=errors,
    )
    return msgspec.structs.replace(view, summary=summary_line(view))


def _same_study(old: Study, new: Study) -> bool:
    return msgspec.msgpack.encode(old) == msgspec.msgpack.encode(new)


def _renamed_studies(old: list[Study], new: list[Study]) -> dict[str, str]:
    """Old id -> new id of the studies whose id changed: an old study and a new one
    that share a registry id which no other unmatched study on either side has."""

    def registered(studies: list[Study]) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for study in studies:
            for reg in study.registrations:
                ids = out.setdefault((reg.registry.casefold(), reg.id.casefold()), [])
                if study.id not in ids:
                    ids.append(study.id)
        return out

    before, after = registered(old), registered(new)
    candidates: dict[str, set[str]] = {}
    for key, olds in before.items():
        news = after.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            candidates.setdefault(olds[0], set()).add(news[0])
    chosen = {o: next(iter(n)) for o, n in candidates.items() if len(n) == 1}
    taken = Counter(chosen.values())
    return {o: n for o, n in chosen.items() if taken[n] == 1}


def _study_changes(old: Study, new: Study) -> StudyChanges:
    sections: dict[str, list[Change]] = {"figures": [], "items": [], "quotes": []}
    for raw in study_changes(old, new):
        sections[raw.section].append(_change(raw, new))
    return StudyChanges(
        id=new.id,
        acronym=new.acronym,
        renamed_from=old.id if old.id != new.id else None,
        figures=sections["figures"],
        items=sections["items"],
        quotes=sections["quotes"],
        derived=[_derived_change(raw, new) for raw in derived_changes(old, new)],
    )


def _change(raw: Raw, study: Study) -> Change:
    return Change(
        section=raw.section,
        kind=raw.kind,
        study=study.id,
        acronym=study.acronym,
        path=raw.path,
        where=SEPARATOR.join(raw.where),
        old=as_json(raw.old),
        new=as_json(raw.new),
        old_text=raw.old_text,
        new_text=raw.new_text,
    )


def _derived_change(raw: DerivedRaw, study: Study) -> Change:
    return Change(
        section="derived",
        kind=raw.kind,
        study=study.id,
        acronym=study.acronym,
        path=raw.path,
        where=SEPARATOR.join(raw.where),
        old=raw.old,
        new=raw.new,
        old_text=raw.old_text,
        new_text=raw.new_text,
        derived=True,
    )


def _entry(item: LoadedStudy, side: Side) -> StudyEntry:
    study = item.study
    return StudyEntry(study.id, study.acronym, citation_text(study), side.shown(item.file))


def _findings(raws: list[FindingRaw], old: Side, new: Side) -> list[FindingChange]:
    acronyms = {i.study.id: i.study.acronym for i in [*old.loaded, *new.loaded]}
    out = []
    for raw in sorted(raws, key=lambda r: r.kind != "introduced"):
        f = raw.finding
        side = new if raw.kind == "introduced" else old
        out.append(
            FindingChange(
                kind=raw.kind,
                study=raw.study,
                acronym=acronyms.get(raw.study, raw.study),
                rule=f.rule,
                severity=f.severity,
                path=raw.path,
                message=f.message,
                reported=f.reported,
                derived=f.derived,
                location=location(side.shown(f.file), f.line, f.column),
            )
        )
    return out


def _entry_change(entry: StudyEntry, kind: str) -> Change:
    data = msgspec.to_builtins(entry)
    text = f"{entry.acronym} ({entry.id}): {entry.citation}"
    return Change(
        section="studies",
        kind=kind,
        study=entry.id,
        acronym=entry.acronym,
        path="",
        where=f"study {entry.acronym}",
        old=data if kind == "removed" else None,
        new=data if kind == "added" else None,
        old_text=text if kind == "removed" else NOT_GIVEN,
        new_text=text if kind == "added" else NOT_GIVEN,
    )


def _renamed(study: StudyChanges) -> Change:
    return Change(
        section="studies",
        kind="renamed",
        study=study.id,
        acronym=study.acronym,
        path="id",
        where=f"study {study.acronym} › id",
        old=study.renamed_from,
        new=study.id,
        old_text=str(study.renamed_from),
        new_text=study.id,
    )


def _finding_change(finding: FindingChange) -> Change:
    data = msgspec.to_builtins(finding)
    text = f"[{finding.severity}] {finding.rule}: {finding.message}"
    introduced = finding.kind == "introduced"
    return Change(
        section="integrity",
        kind=finding.kind,
        study=finding.study,
        acronym=finding.acronym,
        path=finding.path,
        where=f"{finding.rule} at {finding.path}",
        old=None if introduced else data,
        new=data if introduced else None,
        old_text=NOT_GIVEN if introduced else text,
        new_text=text if introduced else NOT_GIVEN,
    )


# --- The summary line ------------------------------------------------------------------------


def summary_line(view: DiffView) -> str:
    """ "main → HEAD: 1 study added; 1 study changed (2 figures, 1 quote, 3 derived
    figures); integrity: 1 finding introduced (1 error)." or, with nothing changed,
    "No change in the evidence between main and HEAD (2 studies).\""""
    between = f"{view.old.label} → {view.new.label}"
    if not view.changed:
        return (
            f"No change in the evidence between {view.old.label} and {view.new.label} "
            f"({plural(view.new.studies, 'study', 'studies')})."
        )
    parts = []
    if view.added:
        parts.append(plural(len(view.added), "study", "studies") + " added")
    if view.removed:
        parts.append(plural(len(view.removed), "study", "studies") + " removed")
    renamed = sum(1 for s in view.studies if s.renamed_from is not None)
    if renamed:
        parts.append(plural(renamed, "study", "studies") + " renamed")
    if any(s.count for s in view.studies):
        counts = [
            plural(sum(len(s.figures) for s in view.studies), "figure or fact", "figures or facts")
            + " changed",
            plural(sum(len(s.items) for s in view.studies), "item") + " added or removed",
            plural(sum(len(s.quotes) for s in view.studies), "quote or credit", "quotes or credits")
            + " changed",
            plural(sum(len(s.derived) for s in view.studies), "derived figure") + " moved",
        ]
        shown = [c for c in counts if not c.startswith("0 ")]
        changed = plural(sum(1 for s in view.studies if s.count), "study", "studies")
        parts.append(f"{changed} changed ({', '.join(shown)})")
    if view.findings:
        introduced = [f for f in view.findings if f.kind == "introduced"]
        resolved = len(view.findings) - len(introduced)
        words = []
        if introduced:
            errors = sum(1 for f in introduced if f.severity == "error")
            kinds = [plural(errors, "error")] if errors else []
            if len(introduced) - errors:
                kinds.append(plural(len(introduced) - errors, "warning"))
            words.append(f"{plural(len(introduced), 'finding')} introduced ({', '.join(kinds)})")
        if resolved:
            words.append(f"{plural(resolved, 'finding')} resolved")
        parts.append("integrity: " + ", ".join(words))
    return f"{between}: {'; '.join(parts)}."

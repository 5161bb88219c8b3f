"""How ``diff`` names what changed: identities, labels and values in words.

A change is told by where it is (``Overall survival at 3 years › comparison ›
estimate``) and by its old and new values written as every other view writes them
(``0.41``, ``95% CI 0.23–0.73``, ``P = 0.002``). Items of a list are known by their
identity, never by their place in the list: an outcome by its id, a group's result by
its group and measure, an adverse event by its arm, category, term and grade.
:data:`KEYS` holds those identities, :func:`item_label` and :func:`summary` the words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from blinacli.model import (
    CI,
    AdverseEvent,
    AgeRange,
    AllocationRatio,
    AnalysisPopulation,
    Arm,
    Claim,
    Comparison,
    Cycles,
    Dose,
    Duration,
    EndpointDefinition,
    Enrollment,
    FollowUp,
    MRDCriterion,
    Note,
    Outcome,
    PhiladelphiaStatus,
    Proportion,
    Quote,
    Rate,
    Regimen,
    Registration,
    SafetyStatement,
    Schedule,
    Source,
    Study,
    Subgroup,
    Time,
    Timepoint,
    Transplant,
    TrialStatus,
    Unconfirmed,
)
from blinacli.views import formatting as fmt
from blinacli.views import phrases, regimens

NOT_GIVEN = "not given"
"""What a value reads as on the side that does not have it."""

Key = tuple[Any, ...]


def _grade_key(grade: int | str) -> str:
    return fmt.grade(grade)  # "≥3" and ">=3" are one grade range


KEYS: dict[type, Callable[[Any], Key]] = {
    Registration: lambda r: (r.registry.casefold(), r.id.casefold()),
    Source: lambda s: (s.id,),
    Arm: lambda a: (a.id,),
    EndpointDefinition: lambda e: (e.endpoint, e.role),
    Enrollment: lambda e: (e.stage, e.arm),
    FollowUp: lambda f: (f.arm,),
    Subgroup: lambda s: (s.id,),
    Regimen: lambda r: (r.arm, r.drug.casefold()),
    Outcome: lambda o: (o.id,),
    Proportion: lambda r: (r.group, "proportion"),
    Rate: lambda r: (r.group, "rate"),
    Time: lambda r: (r.group, "time"),
    AdverseEvent: lambda e: (
        "event",
        e.arm,
        e.category.casefold(),
        (e.term or "").casefold() or None,
        _grade_key(e.grade),
    ),
    SafetyStatement: lambda s: ("statement", s.arm, s.category.casefold()),
    Claim: lambda c: (c.kind, c.source),
    Note: lambda n: (n.about.casefold(),),
    Quote: lambda q: (q.source,),
    Unconfirmed: lambda u: (u.detail.casefold(),),
}
"""The identity of an item of each kind of list: what "the same item" means on both
sides. Two items of one list may share it (two quotes of one source); they are told
apart by their contents."""

ATOMIC: tuple[type, ...] = (CI, Dose, Duration, Timepoint, Cycles, Transplant, Schedule)
"""Objects shown as one value (a CI as "95% CI 0.23–0.73"), changed as a whole."""


def ordered_field(owner: type, name: str) -> bool:
    """A list whose order is part of what it says, compared as one value: a
    comparison's groups (its direction) and a citation's authors (who is first)."""
    return (owner is Comparison and name == "groups") or name == "authors"


def key_of(item: Any) -> Key:
    """The identity of a list item; a text item (a drug, a note) has none of its own."""
    make = KEYS.get(type(item))
    return make(item) if make is not None else ()


def key_text(key: Key) -> str:
    """An identity as a path shows it: ``results[blinatumomab,rate]``."""
    parts = [str(part) for part in key if part is not None]
    return ",".join(parts) if parts else "-"


FIELD_WORDS = {
    "ci": "CI",
    "p": "P",
    "n": "n",
    "total": "denominator",
    "doi": "DOI",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "et_al": "et al.",
    "of_label": "what it is drawn from",
    "of": "drawn from",
    "allocation_ratio": "allocation ratio",
    "follow_up": "follow-up",
    "disease_status": "disease status",
    "as_of": "as of",
    "combined_with": "combined with",
    "confirmed_in": "confirmed in",
    "secondary_ids": "secondary ids",
    "cycle_length": "cycle length",
    "up_to": "up to",
    "philadelphia": "Ph status",
    "mrd": "MRD criterion",
}


def field_words(name: str) -> str:
    return FIELD_WORDS.get(name, name.replace("_", " "))


def _arm(study: Study, arm: str | None) -> str:
    return study.group_label(arm) if arm is not None else "whole study"


def item_label(item: Any, study: Study) -> str:
    """A list item as the place of a change reads it: "Overall survival at 3 years",
    "Blinatumomab (rate)", "adverse event Neutropenia, grade ≥3, Blinatumomab"."""
    if isinstance(item, Outcome):
        return item.label
    if isinstance(item, Proportion | Rate | Time):
        return f"{study.group_label(item.group)} ({type(item).__name__.lower()})"
    if isinstance(item, AdverseEvent):
        term = f" ({item.term})" if item.term else ""
        return (
            f"adverse event {item.category}{term}, {fmt.grade_phrase(item.grade)}, "
            f"{_arm(study, item.arm)}"
        )
    if isinstance(item, SafetyStatement):
        return f"safety statement on {item.category}, {_arm(study, item.arm)}"
    if isinstance(item, Arm):
        return f"arm {item.label}"
    if isinstance(item, Source):
        return f"source [{item.id}]"
    if isinstance(item, Registration):
        return f"registration {item.registry} {item.id}"
    if isinstance(item, EndpointDefinition):
        return f"{fmt.words(item.role)} endpoint {item.label}"
    if isinstance(item, Enrollment):
        return f"enrollment: {fmt.words(item.stage)}, {_arm(study, item.arm)}"
    if isinstance(item, FollowUp):
        return f"follow-up, {_arm(study, item.arm)}"
    if isinstance(item, Subgroup):
        return f"subgroup {item.label}"
    if isinstance(item, Regimen):
        return f"{item.drug} in {_arm(study, item.arm)}"
    if isinstance(item, Claim):
        return f"{fmt.words(item.kind)} [{item.source}]"
    if isinstance(item, Note):
        return f"note on {item.about}"
    if isinstance(item, Quote):
        return f"quote [{item.source}]"
    if isinstance(item, Unconfirmed):
        return f"unconfirmed {item.detail}"
    return str(item)


def _counts(n: int | None, total: int | None, percent: float | int | None) -> str:
    text = str(n) if n is not None else ""
    if total is not None:
        text = f"{text}/{total}" if text else f"of {total}"
    if percent is not None:
        text = f"{text} ({fmt.percent(percent)})" if text else fmt.percent(percent)
    return text


def summary(item: Any, study: Study) -> str:
    """An object added or removed, in one line, with its figures as views show them."""
    if isinstance(item, Outcome):
        parts = [f"{study.group_label(r.group)}: {fmt.result(r)}" for r in item.results]
        if item.comparison is not None:
            parts.append(fmt.comparison(item.comparison))
        return f"{item.label} ({item.id})" + (f": {'; '.join(parts)}" if parts else "")
    if isinstance(item, Proportion | Rate | Time):
        return fmt.result(item)
    if isinstance(item, Comparison):
        groups = " vs ".join(study.group_label(g) for g in item.groups)
        return f"{groups}: {fmt.comparison(item)}"
    if isinstance(item, AdverseEvent):
        return f"{item_label(item, study)}: {_counts(item.n, item.total, item.percent)}"
    if isinstance(item, SafetyStatement):
        return f"{item_label(item, study)}: {item.text}"
    if isinstance(item, Claim):
        return f"{fmt.words(item.kind)}: “{item.text}” [{item.source}]"
    if isinstance(item, Arm):
        return f"{item.label} ({item.id}, {item.role})"
    if isinstance(item, Source):
        return f"[{item.id}] {item.kind}: {item.citation}"
    if isinstance(item, Registration):
        return f"{item.registry} {item.id}"
    if isinstance(item, EndpointDefinition):
        return f"{fmt.words(item.role)} endpoint: {item.label} ({item.endpoint})"
    if isinstance(item, Enrollment):
        return f"{item_label(item, study)}: {_counts(item.n, None, item.percent)}"
    if isinstance(item, FollowUp):
        return f"{item_label(item, study)}: median {fmt.number(item.median)} {item.unit}"
    if isinstance(item, Subgroup):
        size = f" (n = {item.n})" if item.n is not None else ""
        return f"{item.label} ({item.id}){size}"
    if isinstance(item, Regimen):
        return f"{regimens.dose_text(item)} in {_arm(study, item.arm)}"
    if isinstance(item, Note):
        return f"{item.about}: {item.text}"
    if isinstance(item, Quote):
        return f"[{item.source}] “{item.quote}”"
    if isinstance(item, Unconfirmed):
        return f"unconfirmed {item.detail}: {item.note}"
    if isinstance(item, TrialStatus):
        return phrases.status_text(item)
    if isinstance(item, AnalysisPopulation):
        size = f" (n = {item.n})" if item.n is not None else ""
        return f"{item.label}{size}"
    if isinstance(item, MRDCriterion):
        return f"{fmt.mrd(item)} ({item.wording})"
    if isinstance(item, AgeRange):
        return fmt.age(item)
    if isinstance(item, PhiladelphiaStatus):
        return item.status
    return value_text(item, "", study)


def _timepoint(value: Timepoint) -> str:
    """The label, and the number and unit when the label does not say them already."""
    if value.value is None or value.unit is None:
        return value.label
    numeric = f"{fmt.number(value.value)} {value.unit}"
    return value.label if value.label == numeric else f"{value.label} ({numeric})"


def _schedule(value: Schedule) -> str:
    parts = []
    for name in ("infusion", "rest", "cycle_length"):
        part = getattr(value, name)
        if part is not None:
            parts.append(f"{field_words(name)} {fmt.duration(part)}")
    return ", ".join(parts) or "no schedule stated"


def value_text(value: Any, field: str, study: Study) -> str:
    """One value as views write it; ``field`` is the name it is held under, which says
    how a bare number reads (a ``p`` as "P = 0.002", a ``percent`` as "85%")."""
    if value is None:
        return NOT_GIVEN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, CI):
        return fmt.ci(value)
    if isinstance(value, Dose):
        return fmt.dose(value)
    if isinstance(value, Duration):
        return fmt.duration(value)
    if isinstance(value, Timepoint):
        return _timepoint(value)
    if isinstance(value, Cycles):
        return f"up to {value.count}" if value.up_to else str(value.count)
    if isinstance(value, Transplant):
        allowed = "allowed" if value.allowed else "not allowed"
        return f"{allowed}, {value.timing}" if value.timing else allowed
    if isinstance(value, Schedule):
        return _schedule(value)
    if isinstance(value, AllocationRatio):
        return phrases.ratio_text(study, value)
    if isinstance(value, list):
        separator = " vs " if field == "groups" else ", "
        return separator.join(value_text(v, "", study) for v in value) or "none"
    if isinstance(value, msgspec.Struct):
        return summary(value, study)
    if field == "p" and isinstance(value, int | float | str):
        return fmt.p_value(value)
    if field == "percent" and isinstance(value, int | float):
        return fmt.percent(value)
    if field == "threshold" and isinstance(value, float):
        return f"{fmt.threshold(value)} ({fmt.number(value)})"
    if field == "grade" and isinstance(value, int | str):
        return fmt.grade(value)
    if isinstance(value, int | float):
        return fmt.number(value)
    return str(value)


def same(old: Any, new: Any) -> bool:
    """Whether two values read the same: 22 and 22.0 differ (a file keeps the decimal it
    was given), 0.410 and 0.41 do not (YAML reads them as one number)."""
    if type(old) is not type(new):
        return False
    if isinstance(old, msgspec.Struct | list):
        return msgspec.json.encode(old) == msgspec.json.encode(new)
    return bool(old == new)


def as_json(value: Any) -> Any:
    """A value of the model as JSON data (numbers stay numbers, null for none)."""
    return msgspec.to_builtins(value)

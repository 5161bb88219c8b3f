"""The draft's safety items, from the record's adverse events: per reporting group, the
serious and other events' totals and terms, each group's arm left to fill when its title
names no arm.
"""

from __future__ import annotations

from typing import Any

from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.record import AdverseEvents, EventGroup
from blinacli.interop.ctgov.values import (
    Placeholder,
    cite,
    field,
    fit,
    fits,
    raw,
    same,
    slug_of,
    text_of,
)
from blinacli.model import Count, PositiveCount


def safety_of(ctx: Context) -> list[dict[str, Any]]:
    """Per reporting group, in one block each: the group's totals, then each event term."""
    results = ctx.record.results_section
    module = results.adverse_events_module if results is not None else None
    if module is None or not module.event_groups:
        return []
    serious, other = "serious adverse events", "other adverse events (not including serious)"
    items: list[dict[str, Any]] = []
    for group in module.event_groups:
        for category, affected, at_risk, keys in (
            (
                serious,
                group.serious_num_affected,
                group.serious_num_at_risk,
                ("seriousNumAffected", "seriousNumAtRisk"),
            ),
            (
                other,
                group.other_num_affected,
                group.other_num_at_risk,
                ("otherNumAffected", "otherNumAtRisk"),
            ),
        ):
            item = _event(ctx, category, None, group, affected, at_risk)
            if item is not None:
                item["cite"] = cite(group.title, field(keys[0], affected), field(keys[1], at_risk))
                items.append(item)
        for category, events in (
            (serious, module.serious_events),
            (other, module.other_events),
        ):
            for event in events:
                for stat in event.stats:
                    if stat.group_id != group.id:
                        continue
                    item = _event(
                        ctx, category, event.term, group, stat.num_affected, stat.num_at_risk
                    )
                    if item is not None:
                        item["cite"] = cite(
                            event.term,
                            event.organ_system,
                            group.title,
                            field("numAffected", stat.num_affected),
                            field("numAtRisk", stat.num_at_risk),
                        )
                        items.append(item)
    _safety_notes(ctx, module)
    return items


def _event(
    ctx: Context,
    category: str,
    term: str | None,
    group: EventGroup,
    affected: int | None,
    at_risk: int | None,
) -> dict[str, Any] | None:
    if affected is None or not fits(affected, Count):
        return None
    item: dict[str, Any] = {"kind": "event", "category": category}
    if term is not None and term.strip():
        item["term"] = fit(term.strip(), 300)
    item["grade"] = "any"
    item["arm"] = _event_arm(ctx, group)
    if at_risk is not None and affected > at_risk:
        what = f"{term!r} in" if term else "the totals of"
        ctx.note(
            "safety",
            f"Not imported: {what} group {group.title!r}, where the registry's "
            f"{affected} affected exceed the {at_risk} at risk.",
        )
        return None
    item["n"] = affected
    if at_risk is not None and fits(at_risk, PositiveCount):
        item["total"] = at_risk
    return item


def _event_arm(ctx: Context, group: EventGroup) -> str:
    """The arm whose label is the group's title, else the group's shared placeholder."""
    title = " ".join(group.title.split())
    for label, arm_id in ctx.arm_ids.items():
        if same(label, title):
            return arm_id
    if group.id not in ctx.shared:
        arms = ", ".join(ctx.arm_ids.values()) or "none"
        ctx.shared[group.id] = Placeholder(
            f"TODO: the arm of the registry's adverse-event group {title!r}, one of: "
            f"{arms}; if the group is not one arm's participants, remove its events "
            "(the block of safety items that uses this anchor)",
            anchor=f"arm-of-{slug_of(title, group.id.lower())}",
        )
    return ctx.shared[group.id]


def _safety_notes(ctx: Context, module: AdverseEvents) -> None:
    parts = [
        "Adverse events are the registry's counts of participants affected (n) of those "
        "at risk (total), per reporting group; the registry does not grade them, so "
        "every grade is any."
    ]
    time_frame = text_of(module.time_frame)
    if time_frame:
        parts.append(f"Time frame (registry): {time_frame.rstrip('.')}.")
    threshold = raw(module.frequency_threshold)
    if threshold:
        parts.append(
            f"Other adverse events are listed by the registry from a frequency threshold "
            f"of {threshold} %."
        )
    ctx.note("safety", " ".join(parts))

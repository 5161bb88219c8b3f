"""A regimen in words: its dose with the dose's basis, route, schedule, cycles and transplant.

Each function returns the phrase a table cell shows, or None when the source does not
state the item, so a view can say "not stated" in its own way.
"""

from __future__ import annotations

from blinacli.model import Regimen
from blinacli.views import formatting as fmt

NOT_STATED = "not stated"

BASIS = {"per-m2": "per m² of body surface area", "per-kg": "per kg of body weight"}
"""How a dose's basis is named; a flat dose is marked by :func:`formatting.dose` itself."""


def dose_text(regimen: Regimen) -> str:
    """The drug and its dose with the dose's basis, e.g. "Blinatumomab 28 µg/day"."""
    if regimen.dose is None:
        return f"{regimen.drug}, dose {NOT_STATED}"
    text = f"{regimen.drug} {fmt.dose(regimen.dose)}"
    # fmt.dose marks a flat dose itself; the other bases are named here.
    basis = BASIS.get(regimen.dose.basis)
    return f"{text} ({basis})" if basis else text


def route_text(regimen: Regimen) -> str | None:
    """How it is given, in words; None when the source does not say."""
    return fmt.route(regimen.route) if regimen.route else None


def schedule_text(regimen: Regimen) -> str | None:
    """Treatment and rest periods and the cycle length; None when not stated."""
    schedule = regimen.schedule
    if schedule is None:
        return None
    parts = []
    if schedule.infusion:
        parts.append(f"{fmt.duration(schedule.infusion)} of treatment")
    if schedule.rest:
        parts.append(f"then {fmt.duration(schedule.rest)} without")
    if schedule.cycle_length:
        parts.append(f"cycle of {fmt.duration(schedule.cycle_length)}")
    return ", ".join(parts) or None


def cycles_text(regimen: Regimen) -> str | None:
    """How many cycles ("up to 4"); None when not stated."""
    cycles = regimen.cycles
    if cycles is None:
        return None
    return f"up to {cycles.count}" if cycles.up_to else str(cycles.count)


def transplant_text(regimen: Regimen) -> str | None:
    """Whether a transplant was allowed, and when; None when not stated."""
    t = regimen.transplant
    if t is None:
        return None
    text = "allowed" if t.allowed else "not allowed"
    return f"{text}, {t.timing}" if t.timing else text

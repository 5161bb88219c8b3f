"""How every figure is written, once, for every renderer.

Reported numbers are printed as the source gave them (36.5, 22.0, 0.41): no
rounding, no added or dropped decimals.
"""

from __future__ import annotations

from decimal import Decimal

from blinacli.model import (
    CI,
    NOT_REACHED,
    AgeRange,
    Comparison,
    Dose,
    Duration,
    MRDCriterion,
    Proportion,
    Rate,
    Time,
    Timepoint,
    Unconfirmed,
    grade_bounds,
    parse_p,
)

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_RATIO_ABBREVIATION = {"hazard-ratio": "HR", "odds-ratio": "OR", "risk-ratio": "RR"}
_RELATION = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def number(value: float | int | str) -> str:
    """A reported number as written; text values ("not estimable") pass through."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return repr(value)


def percent(value: float | int) -> str:
    return f"{number(value)}%"


def duration(value: Duration) -> str:
    unit = value.unit[:-1] if value.value == 1 else value.unit
    return f"{number(value.value)} {unit}"


def ci(value: CI) -> str:
    if isinstance(value.lower, str) or isinstance(value.upper, str):
        limits = f"{number(value.lower)} to {number(value.upper)}"
    else:
        limits = f"{number(value.lower)}–{number(value.upper)}"
    return f"{number(value.level)}% CI {limits}"


def p_value(value: float | int | str) -> str:
    relation, _ = parse_p(value)
    shown = value.strip().lstrip("<>=≤≥ ") if isinstance(value, str) else number(value)
    return f"P {relation} {shown}"


def proportion(result: Proportion) -> str:
    """ "88/113 (78%)", "88/113", or "52% of 60" when the source gives no count."""
    if result.n is None:
        assert result.percent is not None  # the model requires a count or a percent
        return f"{percent(result.percent)} of {result.total}"
    text = f"{result.n}/{result.total}"
    return f"{text} ({percent(result.percent)})" if result.percent is not None else text


def rate(result: Rate) -> str:
    text = percent(result.percent)
    details = []
    if result.method == "kaplan-meier":
        details.append("Kaplan-Meier")
    elif result.method == "cumulative-incidence":
        details.append("cumulative incidence")
    if result.ci is not None:
        details.append(ci(result.ci))
    return f"{text} ({'; '.join(details)})" if details else text


def time(result: Time) -> str:
    if result.value == NOT_REACHED:
        text = (
            f"{result.statistic} not reached" if result.statistic != "not-stated" else "not reached"
        )
    else:
        text = f"{number(result.value)} {result.unit}"
        if result.statistic in ("median", "mean"):
            text = f"{result.statistic} {text}"
    if result.ci is not None:
        text += f" ({ci(result.ci)})"
    if result.statistic == "not-stated":
        text += " (statistic not stated)"
    return text


def result(value: Proportion | Rate | Time) -> str:
    if isinstance(value, Proportion):
        return proportion(value)
    if isinstance(value, Rate):
        return rate(value)
    return time(value)


def ratio(value: Comparison) -> str:
    """The ratio estimate with its CI, e.g. "HR 0.41 (95% CI 0.23–0.73)"; "" if none."""
    if value.estimate is None or value.measure is None:
        return ""
    text = f"{_RATIO_ABBREVIATION[value.measure]} {number(value.estimate)}"
    return f"{text} ({ci(value.ci)})" if value.ci is not None else text


NO_ESTIMATE = "no estimate or P reported"
"""What a comparison shows when its source sets two groups' figures side by side and
gives neither an effect estimate nor a p-value."""


def comparison(value: Comparison) -> str:
    parts = [ratio(value)] if value.estimate is not None else []
    if value.p is not None:
        parts.append(p_value(value.p))
    return "; ".join(parts) if parts else NO_ESTIMATE


def grade(value: int | str) -> str:
    """A grade as reported: "3", "any", or a range as "≥3" or "3–4" (never one grade)."""
    bounds = grade_bounds(value)
    if bounds is None:
        return "any"
    low, high = bounds
    if isinstance(value, int):
        return str(value)
    if "≥" in value or ">=" in value:
        return f"≥{low}"
    return f"{low}–{high}"


def grade_phrase(value: int | str) -> str:
    """ "grade 3", "grades 3–4", "grade ≥3" or "any grade": a grade in running text."""
    shown = grade(value)
    if shown == "any":
        return "any grade"
    return f"grades {shown}" if "–" in shown else f"grade {shown}"


def unconfirmed_mark(details: list[Unconfirmed]) -> str:
    """The short mark after a figure with details in doubt: " [unconfirmed: direction]";
    "" when there are none. The reasons go in the figure's notes
    (:func:`unconfirmed_notes`)."""
    if not details:
        return ""
    return f" [unconfirmed: {', '.join(u.detail for u in details)}]"


def unconfirmed_notes(details: list[Unconfirmed], about: str = "") -> list[str]:
    """One note per detail in doubt: "Unconfirmed direction: the memo does not say"."""
    texts = [f"unconfirmed {u.detail}: {u.note}" for u in details]
    return [f"{about}: {t}" if about else t[:1].upper() + t[1:] for t in texts]


def unconfirmed(details: list[Unconfirmed]) -> str:
    """The details in doubt with their reasons, in one cell: "Unconfirmed grade: ..."; ""
    when there are none."""
    return "; ".join(unconfirmed_notes(details))


def timepoint(value: Timepoint | None) -> str:
    return value.label if value is not None else "not stated"


def threshold(fraction: float) -> str:
    """0.001 -> 10⁻³; 0.0005 -> 5×10⁻⁴: one notation for every MRD threshold."""
    # Decimal keeps the digits as written (repr) and needs no division, so even
    # the smallest float has an exponent.
    written = Decimal(repr(fraction)).normalize()
    exponent = written.adjusted()
    mantissa = written.scaleb(-exponent).normalize()
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    if mantissa == 1:
        return power
    shown = str(int(mantissa)) if mantissa == mantissa.to_integral_value() else str(mantissa)
    return f"{shown}×{power}"


def mrd(value: MRDCriterion) -> str:
    """MRD-positive ≥10⁻³: the normalized notation (the source's wording is kept apart)."""
    return f"MRD-{value.status} {_RELATION[value.comparator]}{threshold(value.threshold)}"


def dose(value: Dose) -> str:
    basis = {"per-m2": "/m²", "per-kg": "/kg", "flat": ""}[value.basis]
    text = f"{number(value.value)} {value.unit}{basis}/{value.per}"
    return f"{text} (flat dose)" if value.basis == "flat" else text


def age(value: AgeRange) -> str:
    if value.min is not None and value.max is not None:
        text = f"{value.min}–{value.max} years"
    elif value.min is not None:
        text = f"{value.min} years and older"
    elif value.max is not None:
        text = f"up to {value.max} years"
    else:
        return value.description or ""
    return f"{text} ({value.description})" if value.description else text


def route(value: str) -> str:
    return {
        "continuous-iv-infusion": "continuous IV infusion",
        "iv": "IV",
    }.get(value, value)


def words(value: str) -> str:
    """A vocabulary term as words: 'single-arm' stays, 'not-stated' -> 'not stated'."""
    return "not stated" if value == "not-stated" else value.replace("reached-", "reached ")

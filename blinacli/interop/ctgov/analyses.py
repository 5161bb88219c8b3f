"""The comparison of an outcome, from the record's statistical analyses: the first
analysis the model can hold (two groups, a ratio or a p-value), the others noted.
"""

from __future__ import annotations

import re
from typing import Any

from blinacli.interop.ctgov.context import Context
from blinacli.interop.ctgov.record import Analysis, Measure, NumText
from blinacli.interop.ctgov.values import (
    Flow,
    Number,
    as_number,
    cite,
    field,
    fit,
    fits,
    raw,
    text_of,
)
from blinacli.model import MAX_CI_LEVEL, PositiveNumber, PValueBound

RATIOS = {
    "hazard ratio (hr)": "hazard-ratio",
    "odds ratio (or)": "odds-ratio",
    "risk ratio (rr)": "risk-ratio",
}
_NOT_ESTIMABLE = re.compile(r"not\s+estimable|could\s+not\s+be\s+estimated|not\s+reached", re.I)


def comparison_of(ctx: Context, measure: Measure, notes: list[str]) -> dict[str, Any] | None:
    """The outcome's comparison: its first analysis the model can hold; each other analysis
    goes to ``notes`` with its values."""
    chosen: dict[str, Any] | None = None
    for analysis in measure.analyses:
        made = _analysis(ctx, measure, analysis)
        summary = _analysis_summary(analysis)
        if isinstance(made, str):
            notes.append(f"A registry analysis is not imported ({made}): {summary}.")
        elif chosen is None:
            chosen = made
            method = text_of(analysis.statistical_method)
            if method:
                notes.append(f"Statistical method (registry): {method}")
            hypothesis = text_of(analysis.non_inferiority_type)
            if hypothesis and hypothesis not in ("SUPERIORITY", "OTHER"):
                notes.append(
                    f"The registry marks this analysis {hypothesis}: its p-value is for "
                    "that hypothesis."
                )
            for label, text in (
                ("Analysis (registry)", analysis.group_description),
                ("Estimate (registry)", analysis.estimate_comment),
                ("P-value (registry)", analysis.p_value_comment),
            ):
                if text_of(text):
                    notes.append(f"{label}: {text_of(text)}")
        else:
            notes.append(
                "A further registry analysis is not imported (the model holds one "
                f"comparison per outcome): {summary}."
            )
    return chosen


def _analysis(ctx: Context, measure: Measure, analysis: Analysis) -> dict[str, Any] | str:
    """The comparison of one analysis, or why it cannot be imported."""
    if len(analysis.group_ids) != 2:
        return f"it compares {len(analysis.group_ids)} groups, not 2"
    groups = {g.id: g for g in measure.groups}
    if any(g not in groups for g in analysis.group_ids):
        return "it names a group the measure does not list"
    if any(not groups[g].title.strip() for g in analysis.group_ids):
        return "one of its groups has no title"
    ids = [ctx.group_id(groups[g]) for g in analysis.group_ids]
    if ids[0] == ids[1]:
        return "its two groups have the same title"
    param_type = text_of(analysis.param_type)
    ratio = RATIOS.get(param_type.casefold()) if param_type else None
    if param_type and ratio is None:
        return f"the model has no measure for {param_type!r}"
    comparison: dict[str, Any] = {
        "groups": (
            f"TODO: [intervention, comparator], the ids {ids[0]} and {ids[1]} with the "
            "intervention first; the registry does not say which it is (see this "
            "outcome's notes)"
        )
    }
    estimate = as_number(analysis.param_value)
    if ratio is not None:
        if estimate is None or not fits(estimate.value, PositiveNumber):
            return f"the estimate {raw(analysis.param_value)!r} is not a positive number"
        comparison["measure"] = ratio
        comparison["label"] = fit(param_type or "", 300)
        comparison["estimate"] = estimate
        ci = _analysis_ci(analysis, estimate)
        if isinstance(ci, Flow):
            comparison["ci"] = ci
        elif ci is not None:
            return ci
    elif raw(analysis.param_value) is not None:
        return "it gives an estimate without its type"
    elif text_of(analysis.statistical_method):
        comparison["label"] = fit(text_of(analysis.statistical_method) or "", 300)
    p = _p_value(analysis.p_value)
    if p is None and raw(analysis.p_value) is not None:
        return f"the p-value {raw(analysis.p_value)!r} is neither a number nor a bound"
    if p is not None:
        comparison["p"] = p
    if ratio is None and p is None:
        return "it gives neither a ratio nor a p-value"
    title = " ".join(measure.title.split())
    ctx.used.update(ids)
    comparison["cite"] = cite(
        title,
        field("paramType", analysis.param_type),
        field("paramValue", analysis.param_value),
        field("ciPctValue", analysis.ci_pct_value) if "ci" in comparison else None,
        field("ciNumSides", analysis.ci_num_sides) if "ci" in comparison else None,
        field("ciLowerLimit", analysis.ci_lower_limit) if "ci" in comparison else None,
        field("ciUpperLimit", analysis.ci_upper_limit) if "ci" in comparison else None,
        field("pValue", analysis.p_value),
    )
    return comparison


def _analysis_ci(analysis: Analysis, estimate: Number) -> Flow | str | None:
    """The analysis's CI, None when it gives none, or why its CI cannot be imported."""
    parts = (analysis.ci_pct_value, analysis.ci_lower_limit, analysis.ci_upper_limit)
    if all(raw(p) is None for p in parts):
        return None
    level = as_number(analysis.ci_pct_value)
    lower = ci_limit(analysis.ci_lower_limit, analysis.ci_lower_limit_comment)
    upper = ci_limit(analysis.ci_upper_limit, analysis.ci_upper_limit_comment)
    if analysis.ci_num_sides != "TWO_SIDED":
        return f"its confidence interval is {analysis.ci_num_sides or 'of unstated sides'}"
    if level is None or not 50 <= level.value < 100:
        return f"its confidence level {raw(analysis.ci_pct_value)!r} is not a percentage"
    if level.value > MAX_CI_LEVEL:
        return (
            f"its confidence level {raw(analysis.ci_pct_value)!r} is above the "
            f"{MAX_CI_LEVEL}% the evidence model holds"
        )
    if lower is None or upper is None:
        return "a confidence limit is missing or not a number"
    if isinstance(lower, Number) and isinstance(upper, Number):
        if lower.value > upper.value:
            return "its lower confidence limit exceeds the upper one"
    return Flow(level=level, lower=lower, upper=upper)


def ci_limit(value: NumText | None, comment: str | None) -> Number | str | None:
    """A CI limit: the number, "not estimable" when the record says so, else None."""
    number = as_number(value)
    if number is not None:
        return number
    if raw(value) in (None, "NA") and comment is not None and _NOT_ESTIMABLE.search(comment):
        return "not estimable"
    return None


def _p_value(value: NumText | None) -> Number | str | None:
    """The p-value as reported: a number, or a bound such as "<0.001"; None if neither."""
    text = raw(value)
    if text is None:
        return None
    plain = text[1:].strip() if text.startswith("=") else text
    number = as_number(plain)
    if number is not None:
        return number if number.value <= 1 else None
    return text if fits(text, PValueBound) else None


def _analysis_summary(analysis: Analysis) -> str:
    """An analysis in the registry's own values: "Difference -1.696, 95% CI -2.110 to ..."."""
    parts: list[str] = []
    estimate = " ".join(
        t for t in (text_of(analysis.param_type), raw(analysis.param_value)) if t is not None
    )
    if estimate:
        parts.append(estimate)
    level, lower, upper = (
        raw(analysis.ci_pct_value),
        raw(analysis.ci_lower_limit),
        raw(analysis.ci_upper_limit),
    )
    if lower is not None or upper is not None:
        sides = f" {analysis.ci_num_sides}" if analysis.ci_num_sides else ""
        parts.append(f"{level or '?'}% CI{sides} {lower or '?'} to {upper or '?'}")
    if raw(analysis.p_value) is not None:
        parts.append(f"p-value {raw(analysis.p_value)}")
    method = text_of(analysis.statistical_method)
    if method:
        parts.append(f"method {method}")
    return ", ".join(parts) or "no values"

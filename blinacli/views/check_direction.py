"""The integrity rule ``direction-from-roles``: a comparison whose direction the file
leaves to be inferred, and whose group order and arm roles disagree.

Version 1 of the model read a comparison's first group as the intervention. Version 2
reads the groups in the order the source reports the estimate, takes the intervention
from ``intervention`` when the file gives it, and otherwise from the arms' roles. For a
file that lists the comparator arm first and the experimental arm second without saying
which is the intervention, the two readings differ: this rule names such comparisons so
the curator can say which is meant, with ``intervention:``.

A warning, not an error: both readings may be what the source says (an estimate of the
comparator relative to the intervention is reported that way by some papers).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, NamedTuple

from blinacli.model import Study

RULE = "direction-from-roles"
SEVERITY: Literal["warning"] = "warning"
TEXT = (
    "A comparison of two arms lists the comparator first and the experimental arm second "
    "and does not say which is the intervention. Version 1 of the model read the first "
    "group as the intervention; version 2 reads the experimental arm as the intervention "
    "and shows the estimate as 'comparator vs intervention'. Add `intervention: ARM` to "
    "the comparison to say which the source means."
)


class Problem(NamedTuple):
    rule: str
    path: tuple[str | int, ...]
    message: str
    reported: str
    derived: str


def problems(study: Study) -> Iterator[Problem]:
    """Every comparison whose group order and arm roles name different interventions."""
    for i, outcome in enumerate(study.outcomes):
        comparison = outcome.comparison
        if comparison is None or comparison.intervention is not None:
            continue
        first, second = comparison.groups
        if not (study.is_arm(first) and study.is_arm(second)):
            continue
        if study.arm_role(first) != "experimental" and study.arm_role(second) == "experimental":
            yield Problem(
                RULE,
                ("outcomes", i, "comparison", "groups"),
                f"the comparator arm {first!r} is listed first and the file does not say which "
                f"arm is the intervention; add `intervention: {second}` if the estimate is of "
                f"{first!r} relative to {second!r} as reported, or swap the groups if it is not",
                f"groups [{first}, {second}]",
                f"intervention {second} (the experimental arm)",
            )

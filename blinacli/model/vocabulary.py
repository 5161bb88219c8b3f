"""The endpoint vocabulary: names, short aliases, and which terms are narrower than others."""

from __future__ import annotations

import difflib
from typing import get_args

from blinacli.base.errors import UsageError
from blinacli.model.scalars import ENDPOINT_NAMES, Endpoint

ENDPOINTS: tuple[str, ...] = get_args(Endpoint)

ALIASES: dict[str, str] = {
    "os": "overall-survival",
    "rfs": "relapse-free-survival",
    "efs": "event-free-survival",
    "dfs": "disease-free-survival",
    "pfs": "progression-free-survival",
    "cir": "cumulative-incidence-of-relapse",
    "nrm": "non-relapse-mortality",
    "mrd": "mrd-response",
    "cmr": "complete-mrd-response",
    "cr": "complete-remission",
    "orr": "overall-response",
    "dor": "duration-of-response",
}

TIME_TO_EVENT: frozenset[str] = frozenset(
    {
        "overall-survival",
        "relapse-free-survival",
        "event-free-survival",
        "disease-free-survival",
        "progression-free-survival",
        "duration-of-response",
    }
)
"""Time-to-event endpoints measured as time without the event (survival, remission)."""

EVENT_INCIDENCE: frozenset[str] = frozenset(
    {"cumulative-incidence-of-relapse", "non-relapse-mortality"}
)
"""Time-to-event endpoints measured as the incidence of the event itself."""

NARROWER: dict[str, tuple[str, ...]] = {
    # Asking for MRD response also finds complete MRD responses.
    "mrd-response": ("complete-mrd-response",),
}


def resolve(text: str) -> str:
    """The vocabulary term for ``text``: a term, an alias or a name, in any case.

    Raises :class:`UsageError` naming the valid terms when nothing matches.
    """
    wanted = text.strip().casefold().replace(" ", "-").replace("_", "-")
    if wanted in ENDPOINTS:
        return wanted
    if wanted in ALIASES:
        return ALIASES[wanted]
    by_name = {name.casefold().replace(" ", "-"): term for term, name in ENDPOINT_NAMES.items()}
    if wanted in by_name:
        return by_name[wanted]
    close = difflib.get_close_matches(wanted, [*ENDPOINTS, *ALIASES], n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    raise UsageError(
        f"unknown endpoint {text!r}{hint} Endpoints: {', '.join(ENDPOINTS)}; "
        f"aliases: {', '.join(f'{a} ({t})' for a, t in ALIASES.items())}"
    )


def matching(term: str) -> tuple[str, ...]:
    """The terms an endpoint query covers: the term and any narrower terms."""
    return (term, *NARROWER.get(term, ()))


def aliases_of(term: str) -> list[str]:
    return [alias for alias, target in ALIASES.items() if target == term]

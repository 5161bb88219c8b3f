"""FHIR data types written from the model's values: ids, codes, quantities, intervals,
p-values and notes.

Every number is passed through as the model holds it (JSON writes a float's shortest
round-trip form, so 0.41 stays 0.41); the only computed figure is a confidence level,
which FHIR writes as a fraction (95 becomes 0.95, exactly, through Decimal).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from blinacli.interop.fhir.codes import (
    ATTRIBUTE_ESTIMATE_SYSTEM,
    CONFIDENCE_INTERVAL,
    FHIR_COMPARATORS,
    P_VALUE,
    PERCENT_UNIT,
    TIME_UNITS,
    UCUM,
)
from blinacli.model import CI, Quote, Unconfirmed, parse_p
from blinacli.views import formatting as fmt

Json = dict[str, Any]

_ID_LENGTH = 64
"""FHIR ids are at most 64 letters, digits, hyphens and dots."""


def full_url(resource_type: str, resource_id: str) -> str:
    """A ``urn:uuid:`` that depends only on the resource type and id (a name-based UUID)."""
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"urn:blinacli:{resource_type}/{resource_id}")
    )


def fit(resource_id: str) -> str:
    """An id of at most 64 characters: a long one keeps its start and a hash of the whole."""
    if len(resource_id) <= _ID_LENGTH:
        return resource_id
    digest = hashlib.sha256(resource_id.encode("utf-8")).hexdigest()[:12]
    return f"{resource_id[: _ID_LENGTH - len(digest) - 1]}-{digest}"


def reference(resource_type: str, resource_id: str) -> Json:
    """A reference to another entry of the same Bundle, by its full URL."""
    return {"reference": full_url(resource_type, resource_id), "type": resource_type}


def concept(system: str, code: str, display: str, *, text: str | None = None) -> Json:
    """A CodeableConcept with one coding, and the evidence's own words as its text."""
    value: Json = {"coding": [{"system": system, "code": code, "display": display}]}
    if text is not None:
        value["text"] = text
    return value


def notes(texts: Iterable[str]) -> list[Json]:
    """Annotations, one per text, in order."""
    return [{"text": text} for text in texts]


def sentence(text: str) -> str:
    """The text ending in a full stop (or the mark it already ends with)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def quote(value: Quote) -> str:
    """A quote as a note: "Source memo: “…”"."""
    return f"Source {value.source}: “{value.quote}”"


def unconfirmed(what: str, details: Iterable[Unconfirmed]) -> list[str]:
    """One note per detail the sources leave in doubt: "Unconfirmed (comparison):
    direction — the memo does not say which arm is the reference"."""
    return [f"Unconfirmed ({what}): {u.detail} — {u.note}" for u in details]


def number(value: Decimal) -> int | float:
    """A Decimal as the JSON number with the same digits (0.001 stays 0.001)."""
    if value == value.to_integral_value() and "." not in str(value) and "E" not in str(value):
        return int(value)
    return float(value)


def percent(value: float | int) -> Json:
    """A reported percentage as a UCUM quantity (78 stays 78, in %; never a fraction)."""
    return {"value": value, **percent_unit()}


def percent_unit() -> Json:
    """The unit of a percentage, in UCUM."""
    return {"unit": PERCENT_UNIT, "system": UCUM, "code": PERCENT_UNIT}


def time_unit(unit: str) -> Json:
    """A unit of time in UCUM: months are ``mo``."""
    return {"unit": unit, "system": UCUM, "code": TIME_UNITS[unit]}


def confidence_interval(ci: CI, unit: Json | None = None) -> Json:
    """A CI as an attribute estimate: its level as a fraction, its limits as a range
    (in the unit of the figure, when it has one). A limit that is "not estimable" is
    left out of the range and named in a note."""
    code, display = CONFIDENCE_INTERVAL
    estimate: Json = {
        "description": fmt.ci(ci),
        "type": concept(ATTRIBUTE_ESTIMATE_SYSTEM, code, display),
        # R5 gives the level as a fraction ("0.95 for 95% confidence interval").
        "level": number(Decimal(fmt.number(ci.level)) / 100),
    }
    limits: Json = {}
    texts: list[str] = []
    for name, side, value in (("lower", "low", ci.lower), ("upper", "high", ci.upper)):
        if isinstance(value, str):
            texts.append(f"The {name} limit is {value}; it is left out of the range.")
        elif unit is not None:
            limits[side] = {"value": value, **unit}
        else:
            limits[side] = {"value": value}
    if limits:
        estimate["range"] = limits
    if texts:
        estimate["note"] = notes(texts)
    return estimate


def p_value(p: float | int | str) -> Json:
    """A p-value as an attribute estimate; a bound such as "<0.001" becomes a Quantity
    with comparator "<" and value 0.001 (the digits as written)."""
    code, display = P_VALUE
    relation, _ = parse_p(p)
    quantity: Json = {}
    if relation != "=":
        quantity["comparator"] = FHIR_COMPARATORS[relation]
    if isinstance(p, str):
        # The digits as written, not the float parse_p made of them.
        quantity["value"] = number(Decimal(p.strip().lstrip("<>=≤≥ ")))
    else:
        quantity["value"] = p
    return {
        "description": fmt.p_value(p),
        "type": concept(ATTRIBUTE_ESTIMATE_SYSTEM, code, display),
        "quantity": quantity,
    }

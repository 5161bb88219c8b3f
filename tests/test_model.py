"""Model rules: what a study may say, and each way of saying something it may not.

Every rejection is checked by its full ``msgspec.ValidationError`` message,
which ends with the path of the offending value (`` - at `$.outcomes[0].ci` ``);
the loader turns that path into a file line, so a wrong path is a wrong line.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import msgspec
import pytest

from blinacli import model
from blinacli.base.resources import evidence_dir
from blinacli.model import Study, parse_p, reference_problems

QUOTE = [{"source": "paper", "quote": "as the paper says"}]
SLUG_PATTERN = model.Slug.__metadata__[0].pattern  # type: ignore[attr-defined]
P_BOUND_PATTERN = model.PValueBound.__metadata__[0].pattern  # type: ignore[attr-defined]


def minimal_study() -> dict[str, Any]:
    """The smallest valid study: two arms, one source, one outcome with one result."""
    return {
        "id": "trial",
        "acronym": "TRIAL",
        "title": "A trial of blinatumomab",
        "drugs": ["blinatumomab"],
        "condition": "B-cell precursor acute lymphoblastic leukemia",
        "citation": {
            "authors": ["Doe J"],
            "title": "A trial of blinatumomab",
            "journal": "Blood",
            "year": 2020,
            "cite": QUOTE,
        },
        "sources": [{"id": "paper", "kind": "journal-abstract", "citation": "Doe J. Blood 2020."}],
        "design": {
            "phase": 3,
            "allocation": "randomized",
            "arms": [
                {"id": "blina", "label": "Blinatumomab", "role": "experimental", "cite": QUOTE},
                {
                    "id": "chemo",
                    "label": "Chemotherapy",
                    "role": "active-comparator",
                    "cite": QUOTE,
                },
            ],
            "cite": QUOTE,
        },
        "population": {
            "disease": "B-cell precursor ALL",
            "philadelphia": {"status": "negative"},
            "cite": QUOTE,
        },
        "outcomes": [
            {
                "id": "os",
                "endpoint": "overall-survival",
                "label": "Overall survival",
                "role": "primary",
                "results": [
                    {"measure": "proportion", "group": "blina", "n": 5, "total": 10, "cite": QUOTE}
                ],
            }
        ],
    }


def study_with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The minimal study with the value at ``path`` set (a new key or a replaced one)."""
    data = minimal_study()
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


def rejection(data: dict[str, Any]) -> str:
    """The message of the ValidationError that converting ``data`` raises."""
    with pytest.raises(msgspec.ValidationError) as info:
        msgspec.convert(data, Study)
    return str(info.value)


def comparison(**fields: Any) -> dict[str, Any]:
    return {"groups": ["blina", "chemo"], "cite": QUOTE, **fields}


def rate(**fields: Any) -> dict[str, Any]:
    return {"measure": "rate", "group": "blina", "percent": 50, "cite": QUOTE, **fields}


def time(**fields: Any) -> dict[str, Any]:
    return {
        "measure": "time",
        "group": "blina",
        "value": 12,
        "unit": "months",
        "cite": QUOTE,
        **fields,
    }


RESULT = ("outcomes", 0, "results", 0)
COMPARISON = ("outcomes", 0, "comparison")


# --- The minimal study -----------------------------------------------------------------


def test_minimal_study_is_accepted_with_no_reference_problems() -> None:
    """The fixture itself is valid, so every rejection below is caused by its one change."""
    study = msgspec.convert(minimal_study(), Study)
    assert study.id == "trial"
    assert study.outcomes[0].results[0] == model.Proportion(
        group="blina", n=5, total=10, cite=[model.Quote(source="paper", quote="as the paper says")]
    )
    assert reference_problems(study) == []


# --- Rules on one value or one object (msgspec types and __post_init__) -------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param(
            ("colour",), "blue", "Object contains unknown field `colour`", id="unknown-top-key"
        ),
        pytest.param(
            ("outcomes", 0, "colour"),
            "blue",
            "Object contains unknown field `colour` - at `$.outcomes[0]`",
            id="unknown-nested-key",
        ),
        pytest.param(("title",), 5, "Expected `str`, got `int` - at `$.title`", id="wrong-type"),
        pytest.param(
            ("citation", "year"),
            "2020",
            "Expected `int`, got `str` - at `$.citation.year`",
            id="wrong-type-nested",
        ),
        pytest.param(
            (*RESULT, "percent"),
            101,
            "Expected `int` <= 100 - at `$.outcomes[0].results[0].percent`",
            id="percent-over-100",
        ),
        pytest.param(
            (*RESULT, "percent"),
            100.5,
            "Expected `float` <= 100.0 - at `$.outcomes[0].results[0].percent`",
            id="float-percent-over-100",
        ),
        pytest.param(
            (*RESULT, "n"),
            -1,
            "Expected `int` >= 0 - at `$.outcomes[0].results[0].n`",
            id="negative-count",
        ),
        pytest.param(
            (*RESULT, "n"),
            11,
            "n (11) exceeds its denominator (10) - at `$.outcomes[0].results[0]`",
            id="proportion-n-over-total",
        ),
        pytest.param(
            ("outcomes", 0, "results", 0),
            rate(ci={"level": 95, "lower": 60, "upper": 40}),
            "lower limit 60 exceeds upper limit 40 - at `$.outcomes[0].results[0].ci`",
            id="ci-lower-above-upper",
        ),
        pytest.param(
            ("outcomes", 0, "results", 0),
            rate(ci={"level": 95, "lower": 40}),
            "Object missing required field `upper` - at `$.outcomes[0].results[0].ci`",
            id="ci-missing-limit",
        ),
        pytest.param(
            ("outcomes", 0, "timepoint"),
            {"label": "3 years", "value": 3},
            "give value and unit together, or neither - at `$.outcomes[0].timepoint`",
            id="timepoint-value-without-unit",
        ),
        pytest.param(
            ("safety",),
            [{"kind": "event", "category": "CRS", "grade": 3, "n": 5, "total": 4, "cite": QUOTE}],
            "n (5) exceeds its denominator (4) - at `$.safety[0]`",
            id="adverse-event-n-over-total",
        ),
        pytest.param(
            ("safety",),
            [{"kind": "event", "category": "CRS", "grade": 3, "cite": QUOTE}],
            "an adverse event needs a count, a percent, or both - at `$.safety[0]`",
            id="adverse-event-without-figures",
        ),
        pytest.param(
            ("population", "mrd"),
            {
                "status": "positive",
                "comparator": "<",
                "threshold": 0.001,
                "wording": "≥10⁻³",
                "cite": QUOTE,
            },
            "an MRD-positive criterion needs comparator > or >=, found '<' - at `$.population.mrd`",
            id="mrd-positive-with-less-than",
        ),
        pytest.param(
            ("population", "mrd"),
            {
                "status": "negative",
                "comparator": ">=",
                "threshold": 0.0001,
                "wording": "<0.01%",
                "cite": QUOTE,
            },
            "an MRD-negative criterion needs comparator < or <=, found '>=' - at "
            "`$.population.mrd`",
            id="mrd-negative-with-greater-than",
        ),
        pytest.param(
            ("population", "age"),
            {"min": 70, "max": 30, "cite": QUOTE},
            "minimum age 70 exceeds maximum age 30 - at `$.population.age`",
            id="age-min-over-max",
        ),
        pytest.param(
            ("population", "age"),
            {"cite": QUOTE},
            "give min, max or a description - at `$.population.age`",
            id="age-range-empty",
        ),
        pytest.param(
            COMPARISON,
            comparison(estimate=0.5),
            "give measure and estimate together, or neither - at `$.outcomes[0].comparison`",
            id="comparison-estimate-without-measure",
        ),
        pytest.param(
            COMPARISON,
            comparison(measure="hazard-ratio", p=0.01),
            "give measure and estimate together, or neither - at `$.outcomes[0].comparison`",
            id="comparison-measure-without-estimate",
        ),
        pytest.param(
            COMPARISON,
            comparison(ci={"level": 95, "lower": 0.2, "upper": 0.9}, p=0.01),
            "a confidence interval needs an estimate - at `$.outcomes[0].comparison`",
            id="comparison-ci-without-estimate",
        ),
        pytest.param(
            COMPARISON,
            comparison(groups=["blina", "blina"], p=0.01),
            "a comparison needs two different groups - at `$.outcomes[0].comparison`",
            id="comparison-same-group-twice",
        ),
        pytest.param(
            COMPARISON,
            comparison(intervention="other", p=0.01),
            "intervention 'other' is not one of the groups compared ('blina', 'chemo') - at "
            "`$.outcomes[0].comparison`",
            id="comparison-intervention-not-compared",
        ),
        pytest.param(
            COMPARISON,
            comparison(groups=["blina"], p=0.01),
            "Expected `array` of length >= 2 - at `$.outcomes[0].comparison.groups`",
            id="comparison-one-group",
        ),
        pytest.param(
            ("outcomes", 0, "results"),
            [],
            "an outcome needs results, a comparison, or both - at `$.outcomes[0]`",
            id="outcome-without-results-or-comparison",
        ),
        pytest.param(
            COMPARISON,
            comparison(p=1.5),
            "Expected `float` <= 1.0 - at `$.outcomes[0].comparison.p`",
            id="p-above-1",
        ),
        pytest.param(
            COMPARISON,
            comparison(p=2),
            "Expected `int` <= 1 - at `$.outcomes[0].comparison.p`",
            id="whole-p-above-1",
        ),
        pytest.param(
            ("drugs",), [], "Expected `array` of length >= 1 - at `$.drugs`", id="drugs-empty"
        ),
        pytest.param(
            ("drugs",), [""], "Expected `str` of length >= 1 - at `$.drugs[0]`", id="drug-blank"
        ),
        pytest.param(
            ("outcomes", 0, "endpoint"),
            "survival",
            "Invalid enum value 'survival' - at `$.outcomes[0].endpoint`",
            id="endpoint-not-in-vocabulary",
        ),
        pytest.param(
            (*RESULT, "measure"),
            "ratio",
            "Invalid value 'ratio' - at `$.outcomes[0].results[0].measure`",
            id="unknown-measure-tag",
        ),
        pytest.param(
            ("safety",),
            [{"kind": "events", "category": "CRS", "grade": 3, "n": 5, "cite": QUOTE}],
            "Invalid value 'events' - at `$.safety[0].kind`",
            id="unknown-safety-kind-tag",
        ),
        pytest.param(
            ("citation", "cite"),
            [],
            "Expected `array` of length >= 1 - at `$.citation.cite`",
            id="figure-without-quote",
        ),
    ],
)
def test_rule_rejects_with_path(path: tuple[str | int, ...], value: Any, message: str) -> None:
    """Each rule rejects its violation, and the message ends with the path of the value."""
    assert rejection(study_with(path, value)) == message


@pytest.mark.parametrize("bad_id", ["../../x", "E1910", "-trial", "trial one", "", "a" * 64])
def test_id_must_be_a_slug(bad_id: str) -> None:
    """Ids are lower-case letters, digits and hyphens, starting with a letter or digit."""
    expected = f"Expected `str` matching regex {SLUG_PATTERN!r} - at `$.id`"
    assert rejection(study_with(("id",), bad_id)) == expected


@pytest.mark.parametrize("bad_id", ["trial\n", "e1910\n"])
def test_id_with_trailing_newline_is_not_a_slug(bad_id: str) -> None:
    """A newline is not a letter, digit or hyphen (YAML's ``id: |`` block gives one)."""
    expected = f"Expected `str` matching regex {SLUG_PATTERN!r} - at `$.id`"
    assert rejection(study_with(("id",), bad_id)) == expected


def test_slug_rules_apply_to_every_id_field() -> None:
    """A source id, arm id or quote source that is not a slug is rejected where it is."""
    data = minimal_study()
    data["design"]["arms"][1]["id"] = "Chemo Arm"
    assert rejection(data) == (
        f"Expected `str` matching regex {SLUG_PATTERN!r} - at `$.design.arms[1].id`"
    )


@pytest.mark.parametrize("bad_p", ["0.5", "<<0.001", "p<0.001", "<0.001%", "< 2", "", "<"])
def test_p_value_text_must_be_a_bound(bad_p: str) -> None:
    """A p-value written as text must be a bound such as "<0.001", never a bare number."""
    data = study_with(COMPARISON, comparison(p=bad_p))
    assert rejection(data) == (
        f"Expected `str` matching regex {P_BOUND_PATTERN!r} - at `$.outcomes[0].comparison.p`"
    )


NAN_AND_INFINITY_CASES = [
    pytest.param(RESULT, rate(percent=math.nan), ".percent", id="rate-percent"),
    pytest.param(RESULT, time(value=math.inf), ".value", id="time-value"),
    pytest.param(
        COMPARISON,
        comparison(measure="hazard-ratio", estimate=math.nan),
        ".estimate",
        id="estimate-nan",
    ),
    pytest.param(
        COMPARISON,
        comparison(measure="hazard-ratio", estimate=math.inf),
        ".estimate",
        id="estimate-inf",
    ),
    pytest.param(
        COMPARISON,
        comparison(
            measure="hazard-ratio", estimate=0.5, ci={"level": 95, "lower": math.nan, "upper": 0.9}
        ),
        ".ci.lower",
        id="ci-lower-nan",
    ),
    pytest.param(
        COMPARISON,
        comparison(
            measure="hazard-ratio", estimate=0.5, ci={"level": 95, "lower": 0.2, "upper": math.inf}
        ),
        ".ci.upper",
        id="ci-upper-inf",
    ),
    pytest.param(
        COMPARISON,
        comparison(
            measure="hazard-ratio", estimate=0.5, ci={"level": math.nan, "lower": 0.2, "upper": 0.9}
        ),
        ".ci.level",
        id="ci-level-nan",
    ),
    pytest.param(COMPARISON, comparison(p=math.nan), ".p", id="p-nan"),
    pytest.param(COMPARISON, comparison(p=-math.inf), ".p", id="p-minus-inf"),
]


@pytest.mark.parametrize(("path", "value", "suffix"), NAN_AND_INFINITY_CASES)
def test_nan_and_infinity_are_rejected(
    path: tuple[str | int, ...], value: dict[str, Any], suffix: str
) -> None:
    """No reported figure may be NaN or infinite; the error names the field."""
    message = rejection(study_with(path, value))
    where = "$." + model.format_path(path) + suffix
    assert message.endswith(f" - at `{where}`"), message
    assert message.startswith("Expected `float`"), message


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        pytest.param(
            ("population", "mrd"),
            {
                "status": "positive",
                "comparator": ">",
                "threshold": math.nan,
                "wording": "w",
                "cite": QUOTE,
            },
            "$.population.mrd.threshold",
            id="mrd-threshold-nan",
        ),
        pytest.param(
            ("dosing",),
            [
                {
                    "arm": "blina",
                    "drug": "blinatumomab",
                    "cite": QUOTE,
                    "dose": {"value": math.inf, "unit": "µg", "basis": "flat", "per": "day"},
                }
            ],
            "$.dosing[0].dose.value",
            id="dose-inf",
        ),
        pytest.param(
            ("outcomes", 0, "timepoint"),
            {"label": "3 years", "value": math.nan, "unit": "years"},
            "$.outcomes[0].timepoint.value",
            id="timepoint-nan",
        ),
    ],
)
def test_nan_and_infinity_are_rejected_outside_outcomes(
    path: tuple[str | int, ...], value: Any, where: str
) -> None:
    """The same holds for thresholds, doses and timepoints."""
    message = rejection(study_with(path, value))
    assert message.endswith(f" - at `{where}`"), message


# --- Values kept as the source wrote them --------------------------------------------------


def test_not_reached_median_and_p_bound_are_kept_as_written() -> None:
    """'not reached', 'not estimable' and '<0.001' stay text; they are never made numbers."""
    data = study_with(
        ("outcomes", 0, "results"),
        [
            time(value="not reached", ci={"level": 95, "lower": 22.0, "upper": "not estimable"}),
            time(group="chemo", value=12),
        ],
    )
    data["outcomes"][0]["comparison"] = comparison(p="<0.001")
    outcome = msgspec.convert(data, Study).outcomes[0]
    median = outcome.results[0]
    assert isinstance(median, model.Time)
    assert median.value == model.NOT_REACHED == "not reached"
    assert median.ci is not None
    assert median.ci.upper == model.NOT_ESTIMABLE == "not estimable"
    assert outcome.comparison is not None
    assert outcome.comparison.p == "<0.001"


@pytest.mark.parametrize("bound", ["<0.001", "< .05", "<=0.05", "≤0.05", ">0.5", " >= 0.1 "])
def test_p_value_bounds_are_accepted(bound: str) -> None:
    """Every relation the model documents is accepted, with or without spaces."""
    study = msgspec.convert(study_with(COMPARISON, comparison(p=bound)), Study)
    assert study.outcomes[0].comparison is not None
    assert study.outcomes[0].comparison.p == bound


@pytest.mark.parametrize(
    ("p", "parsed"),
    [
        ("<0.001", ("<", 0.001)),
        (0.002, ("=", 0.002)),
        (1, ("=", 1.0)),
        ("<= .05", ("≤", 0.05)),
        (">=0.5", ("≥", 0.5)),
        ("≤0.01", ("≤", 0.01)),
    ],
)
def test_parse_p(p: float | int | str, parsed: tuple[str, float]) -> None:
    """parse_p splits a p-value into its relation and number, ASCII <=/>= shown as ≤/≥."""
    assert parse_p(p) == parsed


def test_ints_stay_ints_and_floats_stay_floats() -> None:
    """85 stays 85 and 22.0 stays 22.0, so no renderer adds or drops a decimal."""
    data = study_with(
        ("outcomes", 0, "results"),
        [
            rate(percent=85, ci={"level": 95, "lower": 22.0, "upper": 90}),
            time(value=36.5, ci={"level": 95.0, "lower": 22, "upper": "not estimable"}),
        ],
    )
    data["outcomes"][0]["comparison"] = comparison(
        measure="hazard-ratio", estimate=1, ci={"level": 95, "lower": 0.5, "upper": 2.0}, p=0
    )
    outcome = msgspec.convert(data, Study).outcomes[0]
    first, second = outcome.results
    assert isinstance(first, model.Rate)
    assert isinstance(second, model.Time)
    assert first.ci is not None and second.ci is not None and outcome.comparison is not None
    assert outcome.comparison.ci is not None
    values = [
        first.percent, first.ci.level, first.ci.lower, first.ci.upper,
        second.value, second.ci.level, second.ci.lower,
        outcome.comparison.estimate, outcome.comparison.ci.lower, outcome.comparison.ci.upper,
        outcome.comparison.p,
    ]  # fmt: skip
    assert [(type(v).__name__, repr(v)) for v in values] == [
        ("int", "85"), ("int", "95"), ("float", "22.0"), ("int", "90"),
        ("float", "36.5"), ("float", "95.0"), ("int", "22"),
        ("int", "1"), ("float", "0.5"), ("float", "2.0"),
        ("int", "0"),
    ]  # fmt: skip


# --- Rules across the study (reference_problems) -------------------------------------------


def problems_of(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return reference_problems(msgspec.convert(data, Study))


def with_subgroups(*ids: str) -> dict[str, Any]:
    data = minimal_study()
    data["population"]["subgroups"] = [
        {"id": sub, "label": f"Subgroup {sub}", "cite": QUOTE} for sub in ids
    ]
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected_path", "message"),
    [
        pytest.param(
            (*RESULT, "group"),
            "placebo",
            ("outcomes", 0, "results", 0, "group"),
            "no arm or subgroup 'placebo'; defined: 'blina', 'chemo'",
            id="result-group",
        ),
        pytest.param(
            COMPARISON,
            comparison(groups=["blina", "placebo"], p=0.01),
            ("outcomes", 0, "comparison", "groups", 1),
            "no arm or subgroup 'placebo'; defined: 'blina', 'chemo'",
            id="comparison-group",
        ),
        pytest.param(
            ("outcomes", 0, "population"),
            "ph-negative",
            ("outcomes", 0, "population"),
            "no subgroup 'ph-negative'; use 'all' or define the subgroup",
            id="outcome-population",
        ),
        pytest.param(
            ("dosing",),
            [{"arm": "placebo", "drug": "blinatumomab", "cite": QUOTE}],
            ("dosing", 0, "arm"),
            "no arm 'placebo'; arms are 'blina', 'chemo'",
            id="regimen-arm",
        ),
        pytest.param(
            ("design", "enrollment"),
            [{"stage": "randomized", "arm": "placebo", "n": 10, "cite": QUOTE}],
            ("design", "enrollment", 0, "arm"),
            "no arm 'placebo'; arms are 'blina', 'chemo'",
            id="enrollment-arm",
        ),
        pytest.param(
            ("safety",),
            [
                {
                    "kind": "statement",
                    "category": "CRS",
                    "arm": "placebo",
                    "text": "Rare.",
                    "cite": QUOTE,
                }
            ],
            ("safety", 0, "arm"),
            "no arm 'placebo'; arms are 'blina', 'chemo'",
            id="safety-arm",
        ),
        pytest.param(
            ("design", "arms", 1, "cite"),
            [*QUOTE, {"source": "memo", "quote": "Chemotherapy alone"}],
            ("design", "arms", 1, "cite", 1, "source"),
            "no source 'memo'; sources are 'paper'",
            id="quote-source",
        ),
        pytest.param(
            (*RESULT, "cite"),
            [{"source": "memo", "quote": "5 of 10"}],
            ("outcomes", 0, "results", 0, "cite", 0, "source"),
            "no source 'memo'; sources are 'paper'",
            id="quote-source-in-result",
        ),
        pytest.param(
            ("claims",),
            [{"kind": "conclusion", "text": "It works.", "source": "memo"}],
            ("claims", 0, "source"),
            "no source 'memo'; sources are 'paper'",
            id="claim-source",
        ),
        pytest.param(
            ("headline",),
            "pfs",
            ("headline",),
            "no outcome 'pfs'; outcomes are 'os'",
            id="headline",
        ),
    ],
)
def test_reference_to_missing_item(
    path: tuple[str | int, ...],
    value: Any,
    expected_path: tuple[str | int, ...],
    message: str,
) -> None:
    """A name that points nowhere is reported at its own path, naming the bad value."""
    assert problems_of(study_with(path, value)) == [(expected_path, message)]


def test_outcome_population_lists_the_subgroups_that_exist() -> None:
    """With subgroups defined, the message offers them as the alternatives to 'all'."""
    data = with_subgroups("ph-neg", "responders")
    data["outcomes"][0]["population"] = "ph-negative"
    assert problems_of(data) == [
        (
            ("outcomes", 0, "population"),
            "no subgroup 'ph-negative'; use 'all' or one of 'ph-neg', 'responders'",
        )
    ]


def test_outcome_population_all_and_subgroup_are_accepted() -> None:
    """'all' and a defined subgroup are valid populations; a result may name a subgroup."""
    data = with_subgroups("ph-neg")
    data["outcomes"][0]["population"] = "ph-neg"
    data["outcomes"][0]["results"][0]["group"] = "ph-neg"
    second = copy.deepcopy(data["outcomes"][0])
    second.update(id="os-all", population="all")
    data["outcomes"].append(second)
    assert problems_of(data) == []


@pytest.mark.parametrize(
    ("collection", "expected_path", "message"),
    [
        (("design", "arms"), ("design", "arms", 1, "id"), "arm id 'blina' is used twice"),
        (("outcomes",), ("outcomes", 1, "id"), "outcome id 'os' is used twice"),
        (("sources",), ("sources", 1, "id"), "source id 'paper' is used twice"),
    ],
)
def test_duplicate_ids(
    collection: tuple[str, ...], expected_path: tuple[str | int, ...], message: str
) -> None:
    """An id used twice is reported once, at the second use."""
    data = minimal_study()
    items: Any = data
    for step in collection:
        items = items[step]
    items.insert(1, copy.deepcopy(items[0]))
    assert problems_of(data) == [(expected_path, message)]


def test_duplicate_subgroup_id_is_reported_once() -> None:
    """A repeated subgroup id is 'used twice'; it is not an arm id, so nothing else is said."""
    assert problems_of(with_subgroups("ph-neg", "ph-neg")) == [
        (("population", "subgroups", 1, "id"), "subgroup id 'ph-neg' is used twice")
    ]


def test_subgroup_id_that_is_an_arm_id() -> None:
    """A subgroup may not share an id with an arm: results name either by id."""
    assert problems_of(with_subgroups("chemo")) == [
        (("population", "subgroups", 0, "id"), "subgroup id 'chemo' is also an arm id")
    ]


def test_group_named_all_is_reserved() -> None:
    """'all' means the whole population, so no subgroup may be called that; the id is named."""
    assert problems_of(with_subgroups("all")) == [
        (
            ("population", "subgroups", 0, "id"),
            "'all' is reserved for the whole population; choose another id",
        )
    ]


def test_every_reference_problem_is_reported() -> None:
    """Problems are all listed at once, not just the first."""
    data = study_with(("headline",), "pfs")
    data["outcomes"][0]["results"][0]["group"] = "placebo"
    data["claims"] = [{"kind": "limitation", "text": "Small.", "source": "memo"}]
    assert [path for path, _ in problems_of(data)] == [
        ("outcomes", 0, "results", 0, "group"),
        ("headline",),
        ("claims", 0, "source"),
    ]


def test_confidence_level_below_50_is_rejected(tmp_path: Path) -> None:
    """A CI level of 1e-32 (found by fuzzing) once crashed show with a division by zero."""
    from typer.testing import CliRunner

    from blinacli.cli.app import app

    text = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "e1910.yaml"
    broken.write_text(
        text.replace(
            "ci: {level: 95, lower: 0.23", "ci: {level: 1.0385482532683002e-32, lower: 0.23"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["show", "e1910", "-e", str(broken), "-f", "markdown"])
    assert result.exit_code == 1
    assert (
        "outcomes[0].comparison.ci.level: expected a number ≥ 50, found 1.0385482532683002e-32"
        in (result.stderr)
    )
    assert "Traceback" not in result.stderr


def _every_quote(node: object, path: tuple[str | int, ...] = ()) -> list[Any]:
    """Every Quote under ``node`` by visiting every field of every struct: the slow,
    obviously complete walk that ``model.quotes`` (which skips fields whose types
    cannot hold a quote) must agree with."""
    if isinstance(node, model.Quote):
        return [(path, node)]
    found: list[Any] = []
    if isinstance(node, msgspec.Struct):
        for name in node.__struct_fields__:
            found += _every_quote(getattr(node, name), (*path, name))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _every_quote(item, (*path, index))
    return found


def test_quotes_finds_every_quote_in_document_order() -> None:
    from blinacli.load import loader

    synthetic = Path(__file__).parent / "fixtures" / "synthetic"
    studies = loader.load([evidence_dir(), synthetic]).studies
    assert len(studies) == 6
    for study in studies:
        assert model.quotes(study) == _every_quote(study), study.id

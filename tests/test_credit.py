"""Reading the numbers a quote states, as sources write them, and crediting a row to the
quotes that hold its own figures (blinacli.views.credit and blinacli.views.covered)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from blinacli.model import CI, Dose, Duration, Quote, Schedule, Time
from blinacli.views import credit as credit_module
from blinacli.views.covered import credit_for, figures
from blinacli.views.credit import Figure, credit, holds, numbers_of, readings

# --- Each notation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # p-values, with and without the leading zero
        ("(23.6 vs 5.7 months; P = .002)", 0.002),
        ("(95% CI, 0.23 to 0.73; P=0.002)", 0.002),
        # bounds
        ("HR 0.45; P<0.001", "<0.001"),
        ("HR 0.45; P < .001", "<0.001"),
        ("P ≤ 0.05", "<=0.05"),
        ("p <= .05", "≤0.05"),
        # powers of ten and percents for an MRD threshold of 0.001
        ("with MRD (≥10−3)", 0.001),
        ("MRD <10^-3", 0.001),
        ("MRD ≥10⁻³", 0.001),
        ("MRD ≥1×10−3", 0.001),
        ("MRD of 1 x 10^-3 or more", 0.001),
        ("a threshold of 1e-3", 0.001),
        ("a threshold of 1E-03", 0.001),
        ("(<0.01% leukemic cells in bone marrow)", 0.0001),
        ("MRD ≥5×10⁻⁴", 0.0005),
        ("78% achieved", 78),
        ("78% achieved", 0.78),
        ("78 percent achieved", 78),
        # ranges: both numbers, the dash is no minus sign
        ("0.41 (95% CI, 0.23 to 0.73)", 0.23),
        ("0.41 (95% CI, 0.23 to 0.73)", 0.73),
        ("HR 0.41 (0.23–0.73)", 0.23),
        ("HR 0.41 (0.23–0.73)", 0.73),
        ("Patients: 30-70 years old", 30),
        ("Patients: 30-70 years old", 70),
        # number words, any case
        ("Eighty-eight (78%) of 113 evaluable patients", 88),
        ("Eighty-eight (78%) of 113 evaluable patients", 78),
        ("Eighty-eight (78%) of 113 evaluable patients", 113),
        ("One hundred sixteen patients received blinatumomab.", 116),
        ("Twelve (10%) and 3 patients (3%) had grade 3 or 4", 12),
        ("Twelve (10%) and 3 patients (3%) had grade 3 or 4", 4),
        ("Four cycles of blinatumomab + four cycles", 4),
        ("twenty-one days", 21),
        ("two hundred and five patients", 205),
        ("TWO HUNDRED AND FIVE", 205),
        ("one thousand two hundred patients", 1200),
        # thousands separators and thin spaces
        ("1,234 patients", 1234),
        ("1\u2009234 patients", 1234),
        ("1\u202f234 patients", 1234),
        ("12,345,678 cells", 12345678),
        # decimals as written
        ("95% CI 22.0 to not estimable", 22.0),
        ("95% CI 22.0 to not estimable", 22),
        ("a 6-week cycle", 6),
        ("Hazard ratio 0.410", 0.41),
        ("HR 0·41 (95% CI 0·23–0·73)", 0.73),
        # Roman numerals after phase, grade and stage
        ('"Confirmatory Phase II Study of Blinatumomab"', 2),
        ("a phase I/II trial", 1),
        ("a phase I/II trial", 2),
        ("grade III/IV neutropenia", 3),
        ("grade III/IV neutropenia", 4),
        # text fields that are only numbers
        ("volume 131, issue 14, pages 320–333", "320–333"),
        ("a phase 1/2 trial", "1/2"),
    ],
)
def test_a_quote_holds_the_value_as_sources_write_it(text: str, value: int | float | str) -> None:
    assert holds(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # exact at the value's own decimals
        ("Median overall survival (OS) was 36.5 months.", 36.6),
        ("Hazard ratio for death: 0.41 (95% CI, 0.23 to 0.73)", 0.42),
        ("a lower limit of 22", 22.0),  # the file would add a decimal the source lacks
        ("P = .002", 0.02),
        ("P = .002", 0.0021),
        # a bound is not another bound, nor a plain number stated as equal
        ("P = 0.001", "<0.001"),
        ("P > 0.001", "<0.001"),
        ("P ≤ 0.001", "<0.001"),
        # digits inside a word or an identifier are no number
        ("15 µg/m2 per day", 2),
        ("registered as #NCT01207388", 1207388),
        ("ECOG-ACRIN E1910", 1910),
        ("BCR::ABL1-negative", 1),
        # a dash is never a minus sign: nothing is read as negative, nor as a sum
        ("HR 0.41 (0.23–0.73)", 0.5),
        # a percent is not its count
        ("Eighty-eight (78%) of 113", 87),
        # words that merely contain number words
        ("someone often wrote tone", 1),
        ("grade III/IV neutropenia", 5),
    ],
)
def test_a_quote_does_not_hold_another_value(text: str, value: int | float | str) -> None:
    assert not holds(text, value)


def test_no_reading_is_negative_and_a_minus_sign_is_an_exponent_only() -> None:
    for text in ("0.23–0.73", "30-70 years", "−0.5", "10−3", "2.5 − 3.5"):
        assert all(r.value >= 0 for r in readings(text)), text
    # U+2212 after 10 is an exponent; a hyphen after 10 may be either, so both count.
    assert [r.value for r in readings("10−3")] == [Decimal("0.001")]
    assert {r.value for r in readings("10-3")} == {Decimal("0.001"), Decimal(10), Decimal(3)}


def test_a_reading_keeps_what_the_source_wrote() -> None:
    [p] = readings("P = .002")
    assert (p.value, p.places, p.relation, p.written) == (Decimal("0.002"), 3, "=", ".002")
    threshold = readings("MRD (≥10−3)")[0]
    assert (threshold.value, threshold.places, threshold.relation) == (Decimal("0.001"), 3, "≥")
    bound = readings("<0.01%")
    assert [(r.value, r.relation) for r in bound] == [
        (Decimal("0.01"), "<"),
        (Decimal("0.0001"), "<"),
    ]


def test_a_plain_number_that_could_be_a_bound_must_be_stated_plainly() -> None:
    # A p-value field holds either a number or a bound: 0.001 recorded for "P<0.001"
    # would turn a bound into an equality.
    assert holds("P<0.001", 0.001)
    assert not holds("P<0.001", 0.001, unbounded=True)
    assert holds("P = 0.001", 0.001, unbounded=True)
    assert holds("P 0.001", 0.001, unbounded=True)


def test_the_unit_after_a_number_or_a_list_of_numbers() -> None:
    text = "15 µg/m²/day by continuous IV infusion for 4 weeks, then 14 days (a 6-week cycle)"
    assert holds(text, 4, unit="weeks")
    assert holds(text, 14, unit="days")
    assert holds(text, 6, unit="weeks")
    assert holds(text, 15, unit="µg")
    assert not holds(text, 14, unit="weeks")
    assert holds("up to 4 cycles", 4) and not holds("up to 4 cycles", 4, unit="weeks")
    # the unit after a list belongs to each number in it
    assert holds("longer RFS (23.6 vs 5.7 months; P = .002)", 23.6, unit="months")
    assert holds("28 mcg/day", 28, unit="µg")


def test_parsed_quotes_are_cached() -> None:
    text = "A quote read only by this test: 41 of 97 patients (42.3%)."
    readings(text)
    before = readings.cache_info().hits
    for _ in range(5):
        assert holds(text, 42.3)
    assert readings.cache_info().hits == before + 5


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("<0.001", ["<0.001"]),
        ("131", ["131"]),
        ("320–333", ["320", "333"]),
        ("1/2", ["1", "2"]),
        ("2:1", ["2", "1"]),
        ("2024-07-25", []),
        ("2024-07", []),
        ("e123", []),
        ("Blood 133(24):2625", []),
        ("not estimable", []),
    ],
)
def test_which_text_fields_are_numbers(text: str, numbers: list[str]) -> None:
    assert numbers_of(text) == numbers


# --- Crediting a row ------------------------------------------------------------------------

ABSTRACT = Quote(source="abstract", quote="Median overall survival (OS) was 36.5 months.")
FACTS = Quote(source="facts", quote="the final analysis states it (95% CI 22.0 to not estimable).")
MEMO = Quote(source="memo", quote="Four cycles of blinatumomab by continuous IV infusion")


def test_a_row_is_credited_to_the_quotes_that_hold_its_figures() -> None:
    assert credit([ABSTRACT, FACTS], [36.5]) == ["abstract"]
    assert credit([ABSTRACT, FACTS], [22.0]) == ["facts"]
    assert credit([ABSTRACT, FACTS], [36.5, 22.0]) == ["abstract", "facts"]
    # the order is the cite's, and each source once
    assert credit([FACTS, ABSTRACT, FACTS], [36.5, 22.0, 95]) == ["facts", "abstract"]


def test_a_row_whose_figures_no_quote_holds_gets_no_mark() -> None:
    assert credit([ABSTRACT, FACTS], [36.6]) == []
    assert credit([ABSTRACT, FACTS], [36.6], text="Median overall survival") == []


def test_a_text_row_is_credited_to_the_quotes_that_contain_its_text() -> None:
    # case, the kind of dash and spacing do not matter
    assert credit([ABSTRACT, MEMO], text="continuous  iv infusion") == ["memo"]
    assert credit([ABSTRACT, MEMO], text=["not there", "MEDIAN OVERALL"]) == ["abstract"]
    dashes = Quote(source="a", quote="B‑cell precursor ALL — in remission")
    assert credit([dashes], text="b-cell precursor all - in remission") == ["a"]


def test_a_text_row_no_quote_contains_falls_back_to_its_block() -> None:
    # Text facts are paraphrased by design: "continuous-iv-infusion" for a source's words.
    assert credit([ABSTRACT, MEMO], text="single-arm") == ["abstract", "memo"]
    assert credit([ABSTRACT, MEMO]) == ["abstract", "memo"]
    assert credit([], text="anything") == []


def test_a_figure_with_a_unit_is_held_with_that_unit_or_none() -> None:
    cycles = Quote(source="abstract", quote="for up to 4 cycles")
    weeks = Quote(source="facts", quote="for 4 weeks, then 14 days without infusion")
    schedule = Schedule(infusion=Duration(value=4, unit="weeks"))
    assert credit_for([cycles, weeks], schedule) == ["facts"]
    # "4 cycles" names another unit: it holds no 4 weeks, and check reports the figure
    assert credit_for([cycles], schedule) == []
    # a number followed by no unit at all may be the figure
    bare = Quote(source="memo", quote="infusion time (weeks): 4, then a rest")
    assert credit_for([cycles, bare], schedule) == ["memo"]


# --- Which figures a cite covers -------------------------------------------------------------


def test_the_figures_of_an_object_include_its_nested_objects_without_a_cite() -> None:
    result = Time(
        group="arm",
        value=36.5,
        unit="months",
        ci=CI(level=95, lower=22.0, upper="not estimable"),
        cite=[ABSTRACT],
    )
    found = [(f.path, f.value, f.unit) for f in figures(result, ("r",))]
    assert found == [
        (("r", "value"), 36.5, "months"),
        (("r", "ci", "level"), 95, None),
        (("r", "ci", "lower"), 22.0, None),
    ]


def test_a_dose_is_a_figure_with_its_unit_and_ids_are_not_figures() -> None:
    dose = Dose(value=15, unit="µg", basis="per-m2", per="day")
    assert figures(dose) == [Figure(15, ("value",), unit="µg")]
    assert figures(None) == [] and figures(True) == []


def test_the_module_says_how_it_reads_numbers() -> None:
    doc = credit_module.__doc__ or ""
    for notation in ("P = .002", "10−3", "<0.01%", "0.23–0.73", "Eighty-eight", "0.410"):
        assert notation in doc, notation

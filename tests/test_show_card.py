"""`show ID`: the study card, one study on one screen; `--full` and `--section NAME` the
full record; JSON and CSV the full machine twin whatever the options."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
from rich.console import Console
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Outcome, Study
from blinacli.render.documents import render
from blinacli.render.terminal import render_study
from blinacli.views.card import OUTCOME_LINES, SECTIONS, card_view
from blinacli.views.derived import LEGEND, MARK
from blinacli.views.show import study_view
from tests.markdown_reading import MD, md_headings, md_text
from tests.test_html import HOSTILE_TITLE, SCOPES, hostile_evidence, read

FIXTURES = Path(__file__).parent / "fixtures"
# Every study the card is measured on: (id, the evidence it is in).
STUDIES = [
    ("e1910", evidence_dir()),
    ("blast", evidence_dir()),
    ("syn-three-arm", FIXTURES / "synthetic"),
    ("syn-single-arm", FIXTURES / "synthetic"),
    ("syn-paediatric", FIXTURES / "synthetic"),
    ("syn-odds", FIXTURES / "synthetic"),
    ("syn-v2-randomized", FIXTURES / "model-v2"),
    ("syn-v2-single-arm", FIXTURES / "model-v2"),
]
CARD_LINES = 42
"""The most lines a card takes at 80 columns: "about 40"."""
BUNDLED_LINES = 45
"""The most lines the card of a bundled study may take at 80 columns."""
E1910_FIGURES = ["HR 0.41", "95% CI 0.23–0.73", "P = 0.002", "85%", "68%", "80%", "64%", "HR 0.53"]
BLAST_FIGURES = ["88/113", "78%", "36.5", "54%"]
FULL_HEADINGS = ["Design", "Population", "Dosing", "Outcomes", "Safety", "Sources", "Quotes"]


def run(runner: CliRunner, *args: str) -> Any:
    """Invoke blinacli; an unexpected exception fails the test with its traceback."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def show(runner: CliRunner, study: str, folder: Path, *args: str) -> str:
    result = run(runner, "show", study, "-e", str(folder), *args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def flat(text: str) -> str:
    return " ".join(text.split())


def load(study: str, folder: Path) -> Study:
    found = loader.load([folder]).studies
    return next(s for s in found if s.id == study)


# --- one screen --------------------------------------------------------------------------


@pytest.mark.parametrize(("study", "folder"), STUDIES, ids=[s for s, _ in STUDIES])
def test_the_card_fits_one_screen_at_80_columns(
    runner: CliRunner, study: str, folder: Path
) -> None:
    """COLUMNS=80 (conftest), table format: about 40 lines, none wider than 80, nothing
    cut; the full record of the same study is longer."""
    card = show(runner, study, folder, "--format", "table")
    lines = card.rstrip("\n").split("\n")
    assert len(lines) <= CARD_LINES, card
    if folder == evidence_dir():
        assert len(lines) <= BUNDLED_LINES
    assert max(len(line) for line in lines) <= 80
    assert "…" not in card
    assert "\x1b" not in card
    full = show(runner, study, folder, "--full", "--format", "table")
    assert len(full.splitlines()) > len(lines)
    assert lines[-1].startswith(f"Full record: blinacli show {study} --full; one part: --section")


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_e1910_card_has_its_key_figures(runner: CliRunner, fmt: str) -> None:
    text = flat(show(runner, "e1910", evidence_dir(), "--format", fmt))
    missing = [figure for figure in E1910_FIGURES if figure not in text]
    assert not missing
    assert "HR 0.41 (95% CI 0.23–0.73); P = 0.002" in text
    assert "HR 0.53 (95% CI 0.32–0.87)" in text
    assert "MRD-negative" in text and "10⁻⁴" in text  # the population's MRD criterion
    assert "224 randomized" in text
    assert "Blinatumomab + chemotherapy 112" in text and "Chemotherapy alone 112" in text


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_blast_card_has_its_key_figures(runner: CliRunner, fmt: str) -> None:
    text = flat(show(runner, "blast", evidence_dir(), "--format", fmt))
    missing = [figure for figure in BLAST_FIGURES if figure not in text]
    assert not missing
    assert "88/113 (78%)" in text
    assert "median 36.5 months (95% CI 22.0 to not estimable)" in text
    assert "54% (Kaplan-Meier)" in text
    assert "MRD-positive ≥10⁻³" in text


def test_figures_sit_beside_their_groups_and_sources(runner: CliRunner) -> None:
    """Each arm's figure is on the arm's line with its source; the effect on a line of
    its own with its source."""
    lines = show(runner, "e1910", evidence_dir(), "--format", "table").splitlines()
    stripped = [" ".join(line.split()) for line in lines]
    for row in (
        "Blinatumomab + chemotherapy 85% [memo]",
        "Chemotherapy alone 68% [memo]",
        "HR 0.41 (95% CI 0.23–0.73); P = 0.002 [memo]",
        "Blinatumomab + chemotherapy 80% [memo]",
        "Chemotherapy alone 64% [memo]",
        "HR 0.53 (95% CI 0.32–0.87) [memo]",
    ):
        assert row in stripped, row


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_derived_figures_are_marked_and_explained(runner: CliRunner, fmt: str) -> None:
    """Every derived figure comes after †, and the legend says what † means; no derived
    text appears unmarked."""
    text = flat(show(runner, "e1910", evidence_dir(), "--format", fmt))
    view = card_view(load("e1910", evidence_dir()))
    figures = [d for o in view.outcomes for d in o.derived]
    assert len(figures) == 4
    for figure in figures:
        assert f"{MARK} {figure.shown}" in text
        assert text.count(figure.figure.text) == text.count(f"{MARK} {figure.figure.text}")
    assert LEGEND in text


def test_a_derived_figure_names_its_group_where_the_outcome_has_others(
    runner: CliRunner,
) -> None:
    """Two cohorts' intervals, or a difference between two of three arms, say whose they
    are; a difference between the only two arms needs no name."""
    paediatric = flat(show(runner, "syn-paediatric", FIXTURES / "synthetic", "-f", "table"))
    assert f"{MARK} Cohort A: 66.7% (Wilson 95% CI 48.8–80.8%)" in paediatric
    assert f"{MARK} Cohort B: 60.0% (Wilson 95% CI 42.3–75.4%)" in paediatric
    three = flat(show(runner, "syn-three-arm", FIXTURES / "synthetic", "-f", "table"))
    assert f"{MARK} Examplumab low dose vs Testinib: difference +6.8 percentage points" in three
    assert "Examplumab high dose vs Testinib: HR 0.45 (95% CI 0.31–0.66)" in three
    e1910 = flat(show(runner, "e1910", evidence_dir(), "-f", "table"))
    assert f"{MARK} difference +17 percentage points; number needed to treat 6" in e1910


def test_identifiers_are_never_broken_across_lines(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The citation line wraps only between identifiers, at any width."""
    identifiers = [
        "DOI 10.1056/NEJMoa2312948",
        "PMID 39047240",
        "PMCID PMC11334054",
        "ClinicalTrials.gov NCT02003222 (also ECOG-E1910)",
    ]
    for columns in ("80", "60", "50"):
        monkeypatch.setenv("COLUMNS", columns)
        lines = show(runner, "e1910", evidence_dir(), "-f", "table").splitlines()
        for identifier in identifiers:
            assert any(identifier in line for line in lines), (columns, identifier)
        assert any(line.startswith("Litzow MR, et al. N Engl J Med.") for line in lines)


def test_not_stated_stays_visible(runner: CliRunner) -> None:
    """Masking, status and the population's fields the sources do not state say so."""
    e1910 = flat(show(runner, "e1910", evidence_dir(), "-f", "table"))
    assert "masking not stated" in e1910 and "status not stated" in e1910
    assert "population not stated" in e1910  # the analysis set of each outcome
    odds = flat(show(runner, "syn-odds", FIXTURES / "synthetic", "-f", "table"))
    for phrase in ("Ph status not reported", "disease status not stated"):
        assert phrase in odds
    assert "MRD criterion not stated" in odds
    assert "Placebo: not recorded" in odds  # an arm without a regimen
    single = flat(show(runner, "syn-v2-single-arm", FIXTURES / "model-v2", "-f", "table"))
    assert "age not stated" in single and "Dosing not recorded" in single
    stopped = flat(show(runner, "syn-v2-randomized", FIXTURES / "model-v2", "-f", "table"))
    assert "stopped early: futility at the planned interim analysis (as of 2025-03)" in stopped
    assert "randomized 2:1" in stopped
    assert "median follow-up Fictumab 14.2 months; Standard care 13.1 months" in stopped


def test_safety_shows_grade_3_or_higher_and_counts_the_rest(runner: CliRunner) -> None:
    text = flat(show(runner, "blast", evidence_dir(), "-f", "table"))
    assert "neurologic events, grade 3: 12 (10%); grade 4: 3 (3%)" in text
    assert "cytokine release syndrome, grade 3: 2 [abstract]" in text
    assert "grade 1" not in text and "4 (3%)" not in text  # CRS of grade 1 and of any grade
    assert "safety: 2 more events (below grade 3 or of any grade)" in text
    assert "Adverse events were consistent with previous studies of blinatumomab." in text
    three = flat(show(runner, "syn-three-arm", FIXTURES / "synthetic", "-f", "table"))
    assert "neutropenia, grade 4: Examplumab high dose 22/100 (22%); Testinib 9/100 (9%)" in three
    ranges = flat(show(runner, "syn-v2-randomized", FIXTURES / "model-v2", "-f", "table"))
    assert "neutropenia, grade ≥3: Fictumab 21/60 (35%)" in ranges
    assert "grades 3–4: Fictumab 3/60 (5%)" in ranges
    assert "1–2" not in ranges
    none = flat(show(runner, "syn-single-arm", FIXTURES / "synthetic", "-f", "table"))
    assert "Safety No safety data recorded." in none


def test_what_the_card_leaves_out_is_counted(runner: CliRunner) -> None:
    """The landmark analyses, the outcomes' notes, the claims, notes and quotes are
    counted with the section that shows them."""
    text = flat(show(runner, "blast", evidence_dir(), "-f", "table"))
    assert "Not on this card — outcomes: 2 more outcomes, 2 notes" in text
    assert "claims: 3 key points and conclusions" in text
    assert "notes: 2 notes on the evidence" in text
    full = show(runner, "blast", evidence_dir(), "--section", "quotes", "-f", "markdown")
    quotes = len([line for line in full.splitlines() if line.startswith("- [")])
    assert f"quotes: {quotes} quotes" in text
    assert "landmark analysis" not in text
    assert "landmark analysis" in show(runner, "blast", evidence_dir(), "-s", "outcomes")


# --- which outcomes ------------------------------------------------------------------------


def _copies(outcome: Outcome, count: int, role: str) -> list[Outcome]:
    return [
        msgspec.structs.replace(outcome, id=f"{outcome.id}-{role}-{i}", role=role)  # type: ignore[arg-type]
        for i in range(count)
    ]


def test_primary_and_secondary_outcomes_are_always_on_the_card() -> None:
    """However many there are: the budget of lines limits only the other outcomes."""
    e1910 = load("e1910", evidence_dir())
    many = msgspec.structs.replace(e1910, outcomes=_copies(e1910.outcomes[0], 6, "secondary"))
    view = card_view(many)
    assert [o.id for o in view.outcomes] == [o.id for o in many.outcomes]
    assert view.outcomes_left_out == 0


def test_other_outcomes_fill_the_budget_in_file_order() -> None:
    """Exploratory and role-not-stated outcomes follow the key ones while the outcomes
    stay within OUTCOME_LINES; the rest are counted; landmark analyses never show."""
    e1910 = load("e1910", evidence_dir())
    primary, secondary = e1910.outcomes
    others = _copies(secondary, 4, "exploratory")
    landmark = _copies(secondary, 1, "landmark")
    study = msgspec.structs.replace(e1910, outcomes=[*landmark, primary, *others])
    view = card_view(study)
    shown = [o.id for o in view.outcomes]
    # Each E1910 outcome takes 6 lines: heading, two arms, the effect, two derived.
    assert shown == [primary.id, others[0].id]
    assert 6 * len(shown) <= OUTCOME_LINES < 6 * (len(shown) + 1)
    assert view.outcomes_left_out == 4  # three exploratory outcomes and the landmark one
    assert view.left_out[0].label == "outcomes"
    assert view.left_out[0].value.startswith("4 more outcomes")


# --- the full record -------------------------------------------------------------------------


def _terminal(renderable: Any) -> str:
    """A renderable as the command prints it: 80 columns, no colour."""
    buffer = io.StringIO()
    Console(file=buffer, width=80, height=25, highlight=False).print(renderable)
    # Piped, a table's lines end at their last character and start at the first
    # non-blank line (blinacli.render.streams.print_table).
    lines = [line.rstrip() for line in buffer.getvalue().split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


@pytest.mark.parametrize(("study", "folder"), STUDIES, ids=[s for s, _ in STUDIES])
def test_full_is_the_full_record_as_before(runner: CliRunner, study: str, folder: Path) -> None:
    """`--full` prints what `show` printed before the card: the StudyView through the
    full record's renderer and templates, every section."""
    view = study_view(load(study, folder))
    table = show(runner, study, folder, "--full", "-f", "table")
    assert table == _terminal(render_study(view))
    assert show(runner, study, folder, "--full", "-f", "markdown") == render(
        "markdown", "show", view=view
    )
    assert show(runner, study, folder, "--full", "-f", "html") == render("html", "show", view=view)
    lines = table.splitlines()
    headings = [h for h in FULL_HEADINGS if h in lines]
    assert headings == [h for h in FULL_HEADINGS if h != "Dosing" or view.dosing]


def test_section_gives_only_those_sections_in_the_records_order(runner: CliRunner) -> None:
    table = show(runner, "e1910", evidence_dir(), "--section", "safety", "-s", "Outcomes")
    headings = [h for _, h in md_headings(table)]  # piped: Markdown
    assert headings[1:] == ["Outcomes", "Safety"]
    assert headings[0].startswith("E1910 — ")
    terminal = show(
        runner, "e1910", evidence_dir(), "-s", "safety", "-s", "outcomes", "-f", "table"
    )
    lines = terminal.splitlines()
    assert [h for h in FULL_HEADINGS if h in lines] == ["Outcomes", "Safety"]
    assert "Hazard ratio for death: HR 0.41" in flat(terminal)  # the full record's block
    assert "Quotes" not in lines and "Design" not in lines
    html = read(show(runner, "e1910", evidence_dir(), "-s", "claims", "-s", "notes", "-f", "html"))
    assert [h for _, h in html.headings][1:] == [
        "Key points and conclusions",
        "Limitations",
        "Notes on the evidence",
    ]


def test_full_and_section_together_give_those_sections(runner: CliRunner) -> None:
    for fmt in ("table", "markdown", "html"):
        alone = show(runner, "e1910", evidence_dir(), "-s", "quotes", "-f", fmt)
        assert show(runner, "e1910", evidence_dir(), "--full", "-s", "quotes", "-f", fmt) == alone


def test_every_section_name_selects_its_part(runner: CliRunner) -> None:
    """Each name alone shows something of the full record and not the others."""
    full = show(runner, "e1910", evidence_dir(), "--full", "-f", "markdown")
    for name in SECTIONS:
        part = show(runner, "e1910", evidence_dir(), "-s", name, "-f", "markdown")
        body = part.split("\n", 2)[2]  # after the study's heading
        assert body.strip(), name
        assert body in full, name
        assert len(part) < len(full), name


def test_a_section_the_study_has_nothing_for_says_so(runner: CliRunner) -> None:
    args = ["-s", "dosing", "-s", "notes", "-f"]
    folder = FIXTURES / "model-v2"
    table = flat(show(runner, "syn-v2-single-arm", folder, *args, "table"))
    assert "Dosing: none recorded." in table
    assert "Notes on the evidence: none recorded." in table
    markdown = show(runner, "syn-v2-single-arm", folder, *args, "markdown")
    assert "## Notes on the evidence\n\nNone recorded." in markdown


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_an_unknown_section_is_a_usage_error_listing_the_choices(
    runner: CliRunner, fmt: str
) -> None:
    result = runner.invoke(app, ["show", "e1910", "-s", "outcome", "-s", "bogus", "-f", fmt])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown sections 'bogus', 'outcome'" in result.stderr
    assert f"sections: {', '.join(SECTIONS)}" in result.stderr


# --- the machine twins ---------------------------------------------------------------------


@pytest.mark.parametrize(("study", "folder"), STUDIES[:3], ids=[s for s, _ in STUDIES[:3]])
def test_json_and_csv_are_the_full_record_whatever_the_options(
    runner: CliRunner, study: str, folder: Path
) -> None:
    loaded = load(study, folder)
    expected = {**msgspec.to_builtins(loaded), "derived": study_view(loaded).derived_json()}
    for options in ([], ["--full"], ["-s", "outcomes"], ["--full", "-s", "design"]):
        data = json.loads(show(runner, study, folder, *options, "-f", "json"))
        assert data == json.loads(json.dumps(expected, ensure_ascii=False))
        csv = show(runner, study, folder, *options, "-f", "csv")
        assert csv == show(runner, study, folder, "--full", "-f", "csv")
        assert csv.startswith("study,section,item,group,value,sources\n")


# --- Markdown and HTML cards -----------------------------------------------------------------


def test_piped_output_is_the_markdown_card(runner: CliRunner) -> None:
    markdown = show(runner, "e1910", evidence_dir())
    assert markdown == show(runner, "e1910", evidence_dir(), "-f", "markdown")
    assert markdown.startswith("# E1910 — Blinatumomab for MRD-Negative")
    assert [h for _, h in md_headings(markdown)][1:] == ["Outcomes", "Safety"]
    assert "## Quotes" not in markdown
    assert len(markdown.splitlines()) <= CARD_LINES
    text = md_text(markdown)
    assert "Blinatumomab + chemotherapy: 85% [memo]" in text
    assert "Full record: blinacli show e1910 --full" in text


@pytest.mark.parametrize(("study", "folder"), STUDIES, ids=[s for s, _ in STUDIES])
def test_markdown_card_is_plain_markdown(runner: CliRunner, study: str, folder: Path) -> None:
    markdown = show(runner, study, folder, "-f", "markdown")
    tokens = MD.parse(markdown)
    assert not [t for t in tokens if t.type.startswith("html")]
    assert len([t for t in tokens if t.type == "heading_open" and t.tag == "h1"]) == 1
    assert not markdown.endswith("\n\n") and "\n\n\n" not in markdown


@pytest.mark.parametrize(("study", "folder"), STUDIES, ids=[s for s, _ in STUDIES])
def test_html_card_is_one_semantic_page(runner: CliRunner, study: str, folder: Path) -> None:
    html = show(runner, study, folder, "-f", "html")
    page = read(html)
    assert html.startswith("<!DOCTYPE html>\n")
    assert page.all("html") == [{"lang": "en"}]
    assert len(page.all("main")) == 1 and len(page.all("style")) == 1
    assert page.all("script") == []
    assert page.open_elements == []
    assert page.title.startswith(study.upper()[:3])
    for table in page.tables:
        assert table.caption and table.thead
        assert all(scope in SCOPES for scope in table.scopes)


def test_evidence_text_is_escaped_in_every_card(runner: CliRunner, tmp_path: Path) -> None:
    evidence = hostile_evidence(tmp_path)
    html = show(runner, "e1910", evidence, "-f", "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert read(html).all("script") == []
    assert HOSTILE_TITLE in read(html).text
    markdown = show(runner, "e1910", evidence, "-f", "markdown")
    assert not [t for t in MD.parse(markdown) if t.type.startswith("html")]
    assert HOSTILE_TITLE in md_text(markdown)


def test_control_characters_are_shown_as_escapes(runner: CliRunner, tmp_path: Path) -> None:
    text = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
    text, count = re.subn(
        r"label: Chemotherapy alone", lambda _: 'label: "Chemo\\e[31malone"', text
    )
    assert count == 1
    (tmp_path / "e1910.yaml").write_text(text, encoding="utf-8")
    card = show(runner, "e1910", tmp_path, "-f", "table")
    assert "\x1b" not in card
    assert "Chemo\\x1b[31malone" in card


def test_n_is_given_per_arm_when_the_whole_study_count_is_not() -> None:
    e1910 = load("e1910", evidence_dir())
    design = e1910.design
    per_arm = [e for e in design.enrollment if not (e.stage == "randomized" and e.arm is None)]
    for enrollment, expected in (
        (
            per_arm,
            ["Blinatumomab + chemotherapy 112 randomized", "Chemotherapy alone 112 randomized"],
        ),
        ([], ["N not reported"]),
    ):
        study = msgspec.structs.replace(
            e1910, design=msgspec.structs.replace(design, enrollment=enrollment)
        )
        (line,) = [line for line in card_view(study).lines if line.label == "N"]
        assert [fact.text for fact in line.facts] == [*expected, "median follow-up 43 months"]

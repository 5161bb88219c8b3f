"""blinacli diff between folders: each kind of change, matched by identity, in every format.

The fixture pairs of tests/fixtures/diff/ (its README lists them) each hold one kind of
change; the Done-when case is a copy of the bundled evidence with E1910's overall
survival HR changed from 0.41 to 0.42 and a study added.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.views.diff import DiffView, Side, diff_view
from tests.markdown_reading import MD, md_headings, md_tables, md_text

PAIRS = Path(__file__).parent / "fixtures" / "diff"
SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
TRACEBACK = "Traceback (most recent call last)"


def pair_view(case: str) -> DiffView:
    old, new = (loader.load([PAIRS / case / side]) for side in ("old", "new"))
    return diff_view(Side("old", old.loaded), Side("new", new.loaded))


def changes(view: DiffView, section: str) -> list[tuple[str, str, Any, Any]]:
    """(kind, path, old, new) of every change of one section."""
    return [(c.kind, c.path, c.old, c.new) for c in view.changes() if c.section == section]


def invoke(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert TRACEBACK not in result.stdout + result.stderr
    return result


# --- The Done-when base: E1910's HR 0.41 -> 0.42 and a study added ------------------------


@pytest.fixture
def bases(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old"
    shutil.copytree(evidence_dir(), old)
    new = tmp_path / "new"
    shutil.copytree(evidence_dir(), new)
    e1910 = new / "e1910.yaml"
    text = e1910.read_text(encoding="utf-8")
    assert text.count("      estimate: 0.41\n") == 1
    e1910.write_text(text.replace("      estimate: 0.41\n", "      estimate: 0.42\n"), "utf-8")
    shutil.copy(SYNTHETIC / "syn-three-arm.yaml", new / "syn-three-arm.yaml")
    return old, new


def test_markdown_shows_the_old_and_new_hr_on_one_line_and_names_the_added_study(
    runner: CliRunner, bases: tuple[Path, Path]
) -> None:
    old, new = bases
    result = invoke(runner, "diff", str(old), str(new), "--format", "markdown")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "0.41" in line and "0.42" in line]
    assert lines, result.stdout
    tables = md_tables(result.stdout)
    rows = [row for _, body in tables for row in body]
    assert ["Overall survival at 3 years › comparison › estimate", "0.41", "0.42"] in rows
    assert any(row[0] == "SYN-3ARM (syn-three-arm)" for row in rows)
    text = md_text(result.stdout)
    assert text.splitlines()[1].endswith(
        "1 study added; 1 study changed (1 figure or fact "
        "changed, 2 derived figures moved); integrity: 1 "
        "finding introduced (1 error)."
    )
    headings = [title for _, title in md_headings(result.stdout)]
    assert headings[:3] == [f"Evidence changes: {old} → {new}", "Studies added", "E1910 (e1910)"]
    assert "Integrity findings" in headings
    # The absolute effect moved with the ratio: 174 fewer per 1000 is no longer what the
    # HR gives, and the diff says so, marked derived.
    moved = [row for row in rows if "absolute effect per 1000" in row[1]]
    assert moved and moved[0][0] == "changed"
    assert "174 fewer per 1000" in moved[0][2] and "174 fewer per 1000" not in moved[0][3]


def test_json_carries_both_values_with_path_and_kind(
    runner: CliRunner, bases: tuple[Path, Path]
) -> None:
    old, new = bases
    result = invoke(runner, "diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["changed"] is True
    hr = [c for c in data["changes"] if c["path"] == "outcomes[os-3-years].comparison.estimate"]
    assert [(c["section"], c["kind"], c["study"], c["old"], c["new"]) for c in hr] == [
        ("figures", "changed", "e1910", 0.41, 0.42),
        ("integrity", "introduced", "e1910", None, hr[1]["new"]),
    ]
    assert hr[1]["new"]["rule"] == "figure-not-in-quote"
    added = [c for c in data["changes"] if c["section"] == "studies"]
    assert [(c["kind"], c["study"], c["new"]["acronym"]) for c in added] == [
        ("added", "syn-three-arm", "SYN-3ARM")
    ]
    moved = [c for c in data["changes"] if c["section"] == "derived"]
    assert moved and all(c["derived"] for c in moved)
    assert moved[0]["old"]["inputs"][0] == {"name": "estimate", "value": 0.41, "group": None}
    assert data["introduced_errors"] == 1


def test_exit_code_exits_1_when_something_changed(
    runner: CliRunner, bases: tuple[Path, Path]
) -> None:
    old, new = bases
    assert invoke(runner, "diff", str(old), str(new), "--exit-code", "-f", "json").exit_code == 1
    assert invoke(runner, "diff", str(old), str(new), "-f", "json").exit_code == 0


def test_a_base_against_itself_says_nothing_changed_and_exits_0(
    runner: CliRunner, bases: tuple[Path, Path]
) -> None:
    old, _ = bases
    line = f"No change in the evidence between {old} and {old} (2 studies)."
    table = invoke(runner, "diff", str(old), str(old), "--exit-code", "--format", "table")
    assert table.exit_code == 0
    assert table.stdout == line + "\n"
    markdown = invoke(runner, "diff", str(old), str(old), "--exit-code", "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.stdout.count("\n") == 1
    assert md_text(markdown.stdout) == line
    data = json.loads(invoke(runner, "diff", str(old), str(old), "-f", "json").stdout)
    assert data["changed"] is False and data["changes"] == []


def test_fail_on_new_errors_exits_1_only_for_an_introduced_error(
    runner: CliRunner, bases: tuple[Path, Path]
) -> None:
    old, new = bases
    result = invoke(runner, "diff", str(old), str(new), "--fail-on-new-errors", "-f", "json")
    assert result.exit_code == 1
    assert "introduces 1 integrity error(s)" in result.stderr
    assert json.loads(result.stdout)["introduced_errors"] == 1  # the diff is still printed
    back = invoke(runner, "diff", str(new), str(old), "--fail-on-new-errors", "-f", "json")
    assert back.exit_code == 0  # going back resolves the error: nothing new


def test_terminal_table_html_and_csv(runner: CliRunner, bases: tuple[Path, Path]) -> None:
    old, new = bases
    table = invoke(runner, "diff", str(old), str(new), "--format", "table").stdout
    assert "Figures and facts changed" in table and "0.42" in table and "SYN-3ARM" in table
    html = invoke(runner, "diff", str(old), str(new), "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>")
    assert "<td>0.41</td><td>0.42</td>" in html
    rows = list(
        csv.reader(io.StringIO(invoke(runner, "diff", str(old), str(new), "-f", "csv").stdout))
    )
    assert rows[0] == ["section", "kind", "study", "path", "where", "old", "new", "derived"]
    where = "Overall survival at 3 years › comparison › estimate"
    path = "outcomes[os-3-years].comparison.estimate"
    assert ["figures", "changed", "e1910", path, where, "0.41", "0.42", "no"] in rows


# --- Each kind of change ---------------------------------------------------------------------


def test_figures_changed_old_to_new() -> None:
    """Values, CIs, p-values, Ns, doses, populations, timepoints and statuses."""
    found = [(path, old, new) for _, path, old, new in changes(pair_view("figures"), "figures")]
    for expected in [
        ("outcomes[efs-median].results[low,time].value", 30.1, 31.4),
        (
            "outcomes[os-2-years].comparison.ci",
            {"level": 90, "lower": 0.55, "upper": 0.94},
            {"level": 90, "lower": 0.56, "upper": 0.94},
        ),
        ("outcomes[os-2-years].comparison.p", 0.04, 0.03),
        ("design.enrollment[randomized].n", 300, 330),
        ("design.enrollment[randomized,high].n", 100, 110),
        (
            "dosing[high,examplumab].dose",
            {"value": 30, "unit": "mg", "basis": "flat", "per": "dose"},
            {"value": 40, "unit": "mg", "basis": "flat", "per": "dose"},
        ),
        ("population.age.max", 65, 70),
        (
            "population.disease_status",
            "first complete remission",
            "first or second complete remission",
        ),
        (
            "outcomes[os-2-years].timepoint",
            {"label": "2 years", "value": 2, "unit": "years"},
            {"label": "3 years", "value": 3, "unit": "years"},
        ),
        ("status.as_of", "2025-03", "2025-04"),
    ]:
        assert expected in found
    texts = {(c.where, c.old_text, c.new_text) for c in pair_view("figures").changes()}
    assert (
        "Overall survival at 2 years › comparison › CI",
        "90% CI 0.55–0.94",
        "90% CI 0.56–0.94",
    ) in texts
    assert ("Overall survival at 2 years › comparison › P", "P = 0.04", "P = 0.03") in texts
    assert (
        "examplumab in Examplumab high dose › dose",
        "30 mg/dose (flat dose)",
        "40 mg/dose (flat dose)",
    ) in texts


def test_items_added_and_removed() -> None:
    """Outcomes, arms, adverse events, claims and notes, each known by its identity."""
    found = {(kind, path) for kind, path, _, _ in changes(pair_view("items"), "items")}
    assert found == {
        ("added", "design.arms[observation]"),
        ("added", "outcomes[cr-end-of-induction]"),
        ("added", "safety[event,low,febrile neutropenia,3]"),
        ("removed", "safety[event,low,infection,pneumonia,3]"),
        ("added", "claims[conclusion,syn]"),
        ("removed", "notes[fixture]"),
    }
    outcome = next(c for c in pair_view("items").changes() if "cr-end" in c.path)
    assert outcome.new_text == (
        "Complete remission at the end of induction (cr-end-of-induction): Examplumab high "
        "dose: 80/100 (80%); Testinib: 60/100 (60%)"
    )
    assert outcome.new["results"][0]["n"] == 80 and outcome.old is None


def test_quotes_and_the_sources_credited() -> None:
    """A quote reworded, a quote added, and a figure changed without its quote: the
    figure loses its source mark, and check's finding says why."""
    view = pair_view("quotes")
    found = [
        (
            kind,
            path,
            old if not isinstance(old, dict) else old["quote"],
            new if not isinstance(new, dict) else new["quote"],
        )
        for kind, path, old, new in changes(view, "quotes")
    ]
    assert found == [
        (
            "changed",
            "design.cite[syn]",
            "randomized phase 2",
            "an open-label randomized phase 2 trial",
        ),
        (
            "added",
            "outcomes[cmr].results[placebo,proportion].cite[syn#2]",
            None,
            "one in four with placebo",
        ),
        ("changed", "outcomes[os-median].comparison.sources", ["syn"], []),
    ]
    credit = next(c for c in view.changes() if c.path.endswith(".sources"))
    assert (credit.old_text, credit.new_text) == ("[syn]", "none: no quote states it")
    assert [(f.kind, f.rule) for f in view.findings] == [("introduced", "figure-not-in-quote")]


def test_studies_added_and_removed_with_their_citation() -> None:
    view = pair_view("studies")
    assert [(e.id, e.acronym) for e in view.added] == [("syn-paediatric", "SYN-PED")]
    assert [(e.id, e.acronym) for e in view.removed] == [("syn-single-arm", "SYN-1ARM")]
    assert view.removed[0].citation.startswith("Fixture C. Synthetic single-arm study")
    assert view.studies == []  # the study on both sides is unchanged


def test_a_study_renamed_is_recognised_by_its_registry_id() -> None:
    view = pair_view("renamed")
    assert view.added == [] and view.removed == []
    assert [(s.id, s.renamed_from, s.count) for s in view.studies] == [
        ("syn-examplumab", "syn-three-arm", 0)
    ]
    assert view.summary == "old → new: 1 study renamed."
    assert [(c.kind, c.old, c.new) for c in view.changes()] == [
        ("renamed", "syn-three-arm", "syn-examplumab")
    ]


def test_a_reordered_base_is_no_change() -> None:
    """Lists and keys in another order, flow style as block style, one follow-up as a
    list of one: the same evidence."""
    view = pair_view("reordered")
    assert not view.changed
    assert view.changes() == []
    assert view.summary == "No change in the evidence between old and new (1 study)."


def test_derived_figures_that_moved_are_marked_derived() -> None:
    view = pair_view("derived")
    moved = [c for c in view.changes() if c.section == "derived"]
    assert [(c.kind, c.path, c.derived) for c in moved] == [
        ("changed", "outcomes[cmr].derived[wilson-interval,drug]", True),
        ("changed", "outcomes[cmr].derived[risk-difference,drug,placebo]", True),
    ]
    assert (moved[0].old_text, moved[0].new_text) == (
        "60.0% (Wilson 95% CI 44.6–73.7%)",
        "65.0% (Wilson 95% CI 49.5–77.9%)",
    )
    assert moved[1].old["value"] == 35 and moved[1].new["value"] == 40


def test_integrity_findings_introduced_and_resolved() -> None:
    view = pair_view("integrity")
    event = "safety[event,drug,infusion reaction,1].percent"
    result = "outcomes[cmr].results[drug,proportion].percent"
    assert [(f.kind, f.rule, f.severity, f.path) for f in view.findings] == [
        ("introduced", "percent-vs-count", "error", event),
        ("resolved", "percent-vs-count", "error", result),
    ]
    assert view.introduced_errors == 1
    assert view.findings[0].location.endswith("integrity/new/syn-randomized-odds.yaml:63:95")
    assert "1 finding introduced (1 error), 1 finding resolved" in view.summary


def test_a_finding_that_only_moved_with_its_block_is_the_same_finding(tmp_path: Path) -> None:
    """Its path by identities is the same on both sides, whatever the list order."""
    old = tmp_path / "old"
    old.mkdir()
    source = (PAIRS / "integrity" / "old" / "syn-randomized-odds.yaml").read_text("utf-8")
    (old / "a.yaml").write_text(source, "utf-8")
    new = tmp_path / "new"
    new.mkdir()
    first = "      - {measure: proportion, group: drug, n: 24"
    second = "      - {measure: proportion, group: placebo, n: 10"
    lines = source.splitlines(keepends=True)
    a = next(i for i, line in enumerate(lines) if line.startswith(first))
    b = next(i for i, line in enumerate(lines) if line.startswith(second))
    lines[a], lines[b] = lines[b], lines[a]
    (new / "a.yaml").write_text("".join(lines), "utf-8")
    before, after = loader.load([old]), loader.load([new])
    view = diff_view(Side("old", before.loaded), Side("new", after.loaded))
    assert not view.changed, view.changes()


def test_an_invalid_side_is_reported_with_its_findings(runner: CliRunner) -> None:
    result = invoke(runner, "diff", str(PAIRS / "invalid" / "old"), str(PAIRS / "invalid" / "new"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "syn-randomized-odds.yaml:12:9: citation.year: expected a whole number" in result.stderr
    assert (
        f"error: the new side ({PAIRS / 'invalid' / 'new'}) is invalid: 1 problem" in result.stderr
    )


def test_evidence_is_refused_when_neither_side_is_a_revision(runner: CliRunner) -> None:
    side = str(PAIRS / "reordered" / "old")
    result = invoke(runner, "diff", side, side, "--evidence", "evidence")
    assert result.exit_code == 2
    assert "--evidence names the evidence to read at a git revision" in result.stderr


# --- Markdown as a reader sees it -----------------------------------------------------------


@pytest.mark.parametrize("case", sorted(p.name for p in PAIRS.iterdir() if p.is_dir()))
def test_every_change_is_one_table_row_with_old_and_new(case: str, runner: CliRunner) -> None:
    """Parsed with markdown-it: one row per change, its old and new side by side, in the
    section of its kind; nothing of the evidence becomes markup."""
    if case == "invalid":
        return
    view = pair_view(case)
    markdown = invoke(
        runner, "diff", str(PAIRS / case / "old"), str(PAIRS / case / "new"), "--format", "markdown"
    ).stdout
    tokens = MD.parse(markdown)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    rows = [row for _, body in md_tables(markdown) for row in body]
    for change in view.changes():
        if change.section in ("studies", "integrity"):
            continue
        mark = "† " if change.derived else ""
        old = (mark if change.old is not None else "") + change.old_text
        new = (mark if change.new is not None else "") + change.new_text
        assert [
            *([change.kind] if change.section != "figures" else []),
            change.where,
            old,
            new,
        ] in rows
    if not view.changed:
        assert markdown.count("\n") == 1
        assert md_text(markdown).startswith("No change in the evidence between ")

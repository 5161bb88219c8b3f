"""Terminal output as a reader, a pager or a file receives it: piped tables without padding,
identifiers and figures never broken across lines, forest plots that keep a confidence limit
near 1 on its own side, legends for the markers drawn, and quote labels in words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.load import loader
from blinacli.model import Study
from blinacli.model.study import quotes
from blinacli.render.forest_terminal import render_forest
from blinacli.views.forest import forest_plots
from blinacli.views.quote_labels import quote_label
from blinacli.views.show import study_view
from tests.test_forest import only, ratio_outcome, study_with, terminal

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "evidence"
SYNTHETIC = ROOT / "tests" / "fixtures" / "synthetic"
BOTH = ["-e", str(EVIDENCE), "-e", str(SYNTHETIC)]

TABLE_COMMANDS = {
    "list": ["list"],
    "show blast": ["show", "blast"],
    "show e1910": ["show", "e1910"],
    "show syn-three-arm": ["show", "syn-three-arm"],
    "compare": ["compare", "blast", "e1910", "syn-three-arm", "syn-odds"],
    "outcomes os": ["outcomes", "os"],
    "outcomes mrd": ["outcomes", "mrd-response"],
    "outcomes --list": ["outcomes", "--list"],
    "safety": ["safety"],
}


def table(runner: CliRunner, args: list[str], width: int, evidence: list[str] = BOTH) -> str:
    """A command's ``--format table`` output as a pipe receives it, ``width`` columns wide."""
    result = runner.invoke(
        app, [*args, *evidence, "--format", "table"], env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


# --- Piped tables ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("name", list(TABLE_COMMANDS))
def test_piped_tables_have_no_padding_and_no_leading_blank_line(
    runner: CliRunner, name: str, width: int
) -> None:
    output = table(runner, TABLE_COMMANDS[name], width)
    lines = output.split("\n")
    assert [n for n, line in enumerate(lines, 1) if line != line.rstrip()] == []
    assert lines[0].strip(), "the output starts with a blank line"
    assert output.endswith("\n") and not output.endswith("\n\n")
    assert all(len(line) <= width for line in lines)


def test_a_real_pipe_gets_the_same_plain_lines() -> None:
    """Through a real pipe (not the test runner's capture): no colour code, no padding."""
    done = subprocess.run(
        [sys.executable, "-m", "blinacli", "list", "--format", "table"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"} | {"FORCE_COLOR": "", "TERM": "xterm"},
        check=True,
        cwd=ROOT,
    )
    assert "\x1b" not in done.stdout
    assert done.stdout.split("\n")[0].split()[:2] == ["Study", "Design,"]
    assert not any(line.endswith(" ") for line in done.stdout.split("\n"))


# --- Identifiers and figures stay whole --------------------------------------------------------


def identifiers(study: Study) -> list[str]:
    """The identifiers a reader may copy from a study's citation: DOI, PMID, PMCID and
    registry ids (the study id, which ``list`` shows, is checked there)."""
    citation = study.citation
    found = [citation.doi, citation.pmid, citation.pmcid]
    for registration in study.registrations:
        found += [registration.id, *registration.secondary_ids]
    return [i for i in found if i]


def whole(output: str, word: str) -> bool:
    return any(word in line for line in output.split("\n"))


LONG_DOI = "10.1016/S1470-2045(21)00102-3"
LONG_REGISTRY = "EudraCT-2010-018314-29"


@pytest.fixture(scope="module")
def long_ids(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic three-arm study with a long DOI and a long second registry id, beside
    the bundled and synthetic studies."""
    data = yaml.safe_load((SYNTHETIC / "syn-three-arm.yaml").read_text(encoding="utf-8"))
    data.update(id="syn-long-identifiers", acronym="SYN-LONG")
    data["citation"]["doi"] = LONG_DOI
    data["registrations"][0]["secondary_ids"] = [LONG_REGISTRY]
    folder = tmp_path_factory.mktemp("long-ids")
    (folder / "syn-long.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return folder


@pytest.mark.parametrize("width", [80, 60])
def test_identifiers_are_never_broken(runner: CliRunner, long_ids: Path, width: int) -> None:
    evidence = [*BOTH, "-e", str(long_ids)]
    studies = loader.load([EVIDENCE, SYNTHETIC, long_ids], cache=False).studies
    ids = [s.id for s in studies]
    outputs = {
        "list": table(runner, ["list"], width, evidence),
        "compare all": table(runner, ["compare", *ids], width, evidence),
        "compare two": table(runner, ["compare", "syn-long-identifiers", "blast"], width, evidence),
    }
    for study in studies:
        outputs[f"show {study.id}"] = table(runner, ["show", study.id], width, evidence)
    broken = []
    for study in studies:
        for word in identifiers(study):
            for name in (f"show {study.id}", "compare all", "compare two"):
                if name == "compare two" and study.id not in ("syn-long-identifiers", "blast"):
                    continue
                if name.startswith("compare") and word == study.citation.pmcid:
                    continue  # compare has no PMCID row
                if not whole(outputs[name], word):
                    broken.append((name, word))
        if not whole(outputs["list"], study.id):
            broken.append(("list", study.id))
    assert broken == []


@pytest.mark.parametrize("width", [80, 60])
def test_figures_and_citation_locators_are_never_broken(runner: CliRunner, width: int) -> None:
    output = table(runner, ["compare", "blast", "e1910", "syn-three-arm"], width)
    for word in ("0.23–0.73);", "2024;391(4):320–333.", "2018;131(14):1522.", "0.31–0.66);"):
        assert whole(output, word), word


def test_a_row_that_cannot_stay_whole_in_a_column_is_laid_out_below(
    runner: CliRunner, long_ids: Path
) -> None:
    """At 60 columns, the DOI row of a comparison is listed under the table, a study a line."""
    output = table(
        runner,
        ["compare", "syn-long-identifiers", "blast", "--section", "citation"],
        60,
        ["-e", str(long_ids), "-e", str(EVIDENCE)],
    )
    lines = output.split("\n")
    doi = next(i for i, line in enumerate(lines) if line.split() == ["≠", "DOI"])
    assert lines[doi + 1].split() == ["SYN-LONG", LONG_DOI, "[syn]"]
    assert lines[doi + 2].split()[:2] == ["BLAST", "10.1182/blood-2017-08-798322"]
    wide = table(
        runner,
        ["compare", "syn-long-identifiers", "blast", "--section", "citation"],
        100,
        ["-e", str(long_ids), "-e", str(EVIDENCE)],
    )
    assert [line for line in wide.split("\n") if line.split()[:2] == ["≠", "DOI"]][0].split()[
        2:4
    ] == [LONG_DOI, "10.1182/blood-2017-08-798322"]


# --- Forest plots: limits near the line of no effect, and the legend ---------------------------


def whiskers(output: str) -> list[str]:
    """The drawing line of each row, in order."""
    return [line for line in output.split("\n") if "├" in line or "◄─" in line]


def null_column(output: str) -> int:
    axis = next(line for line in output.split("\n") if "┬" in line)
    return axis.index("┼")


@pytest.mark.parametrize("width", [80, 60])
def test_a_limit_next_to_one_stays_on_its_side(width: int) -> None:
    """0.51–0.99 ends left of the line, 0.51–1.01 crosses it, 1.01–2.2 starts right of it,
    and 0.51–1 ends on it: four drawings a reader tells apart."""
    study = study_with(
        [
            ratio_outcome("a", 0.51, 0.99, estimate=0.82, label="Below"),
            ratio_outcome("b", 0.51, 1.01, estimate=0.82, label="Across"),
            ratio_outcome("c", 1.01, 2.2, estimate=1.5, label="Above"),
            ratio_outcome("d", 0.51, 1, estimate=0.82, label="Touching"),
        ]
    )
    output = terminal(render_forest(only(forest_plots([study], ["overall-survival"]))), width)
    null = null_column(output)
    below, across, above, touching = whiskers(output)
    assert below[null - 1 : null + 1] == "┤│"
    assert across[null : null + 2] == "┼┤"
    assert above[null : null + 2] == "│├"
    assert touching[null] == "┤" and "├" in touching[:null]
    assert len({below[: null + 3], across[: null + 3], touching[: null + 3]}) == 3


def test_a_ci_entirely_in_one_cell_keeps_its_marker_on_its_side() -> None:
    study = study_with([ratio_outcome("a", 0.97, 0.99, estimate=0.98, label="Narrow")])
    output = terminal(render_forest(only(forest_plots([study], ["overall-survival"]))))
    null = null_column(output)
    [line] = [line for line in output.split("\n") if "■" in line and "│" in line]
    assert line[null] == "│" and "■" in line[:null]


def test_the_legend_explains_only_the_markers_drawn() -> None:
    randomized = study_with([ratio_outcome("a", 0.3, 0.9, label="Randomized")])
    landmark = study_with(
        [ratio_outcome("b", 0.2, 0.7, estimate=0.4, role="landmark", label="Landmark")]
    )
    both = study_with(
        [
            ratio_outcome("a", 0.3, 0.9, label="Randomized"),
            ratio_outcome("b", 0.2, 0.7, estimate=0.4, role="landmark", label="Landmark"),
        ]
    )

    def legend(study: Study) -> list[str]:
        output = terminal(render_forest(only(forest_plots([study], ["overall-survival"]))))
        return [line for line in output.split("\n") if line.startswith(("■ ", "◇ "))]

    assert legend(randomized) == ["■ randomized comparison"]
    assert legend(landmark) == ["◇ not randomized (e.g. landmark)"]
    assert legend(both) == ["■ randomized comparison · ◇ not randomized (e.g. landmark)"]


def test_outcomes_os_explains_the_one_marker_it_draws(runner: CliRunner) -> None:
    output = table(runner, ["outcomes", "os"], 80, ["-e", str(EVIDENCE)])
    plot = output[output.index("Hazard ratios for overall survival") :]
    assert "■ randomized comparison" in plot
    assert "◇" not in plot and "not randomized (e.g. landmark)" not in plot


# --- Quote labels in words ---------------------------------------------------------------------


def quotes_section(output: str) -> str:
    return output[output.rindex("Quotes") :]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_quote_labels_read_as_words(runner: CliRunner, fmt: str) -> None:
    shown = {}
    for study in ("e1910", "blast"):
        result = runner.invoke(
            app, ["show", study, "--full", "--format", fmt], env={"COLUMNS": "200"}
        )
        assert result.exit_code == 0, result.stderr
        shown[study] = " ".join(quotes_section(result.stdout).split())
    assert "(Overall survival at 3 years, comparison)" in shown["e1910"]
    assert "(Design, arm Blinatumomab)" in shown["blast"]
    assert "(Safety: neurologic events, grade 3, arm Blinatumomab)" in shown["blast"]
    assert "(Registration NCT01207388)" in shown["blast"]
    for text in shown.values():
        assert re.search(r"\w\[\d+\]|\b(?:outcomes|design|population|safety)\.", text) is None
        assert "<code>" not in text


def every_quote_path() -> list[tuple[Study, tuple[Any, ...]]]:
    studies = loader.load([EVIDENCE, SYNTHETIC], cache=False).studies
    return [(study, path[:-2]) for study in studies for path, _ in quotes(study)]


def test_every_quote_of_every_study_has_a_label_in_words() -> None:
    pairs = every_quote_path()
    assert len(pairs) > 100
    for study, path in pairs:
        label = quote_label(study, path)
        assert label and "[" not in label and "_" not in label, (path, label)
        assert not re.match(r"[a-z]", label), (path, label)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        (("citation",), "Citation"),
        (("design",), "Design"),
        (("design", "arms", 0), "Design, arm Examplumab high dose"),
        (("population", "mrd"), "Population, MRD criterion"),
        (("population", "age"), "Population, age"),
        (("outcomes", 0, "comparison"), None),
        (("design", "a_new_field", 2), "Design, a new field 3"),
        (("outcomes", 99, "results", 0), "Outcomes 100, results 1"),
    ],
)
def test_quote_label_of_each_kind_of_path(path: tuple[Any, ...], label: str | None) -> None:
    study = next(
        s for s in loader.load([SYNTHETIC], cache=False).studies if s.id == "syn-three-arm"
    )
    if label is None:
        label = f"{study.outcomes[0].label}, comparison"
    assert quote_label(study, path) == label


def test_show_view_quotes_use_the_labels() -> None:
    study = next(s for s in loader.load([EVIDENCE], cache=False).studies if s.id == "e1910")
    abouts = [q.about for q in study_view(study).quotes]
    assert "Overall survival at 3 years, comparison" in abouts
    assert "Population, MRD criterion" in abouts

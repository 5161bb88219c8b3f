"""The command line as a user sees it: every command, every format, every exit code."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from markdown_it.token import Token
from typer.testing import CliRunner

from blinacli import __version__
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from tests.markdown_reading import MD, inline_text, md_headings, md_tables, md_text

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = evidence_dir()
COMMANDS = (
    "validate",
    "check",
    "list",
    "show",
    "compare",
    "outcomes",
    "safety",
    "digest",
    "diff",
    "templates",
    "schema",
    "new",
    "import",
    "cite",
    "export",
)
STUDIES = ("blast", "e1910")

LIST_TABLE_HEADERS = ("Study", "Design, N", "Population", "Headline result")
SAFETY_TABLE_HEADERS = ("Event", "Grade", "Arm", "n (%)", "Of", "Timing")
OUTCOME_MD_HEADER = ["Outcome", "Population", "Timepoint", "Role", "Group", "Result", "Sources"]
SAFETY_MD_HEADER = ["Event", "Grade", "Arm", "n (%)", "Of", "Timing", "Sources"]
SECTIONS = (
    "Design",
    "Population",
    "Dosing",
    "Outcomes",
    "Safety",
    "Key points and conclusions",
    "Limitations",
    "Sources",
    "Quotes",
)

# Every figure of the seed documents, as a reader sees it in any format.
SEEDS = {
    "blast": [
        "116",
        "113",
        "88/113 (78%)",
        "110",
        "54%",
        "18 months",
        "36.5 months",
        "95% CI 22.0 to not estimable",
        "23.6 months",
        "5.7 months",
        "38.9 months",
        "12.5 months",
        "P = 0.002",
        "15 µg/m²/day",
        "12 (10%)",
        "3 (3%)",
        "4 (3%)",
        "all during cycle 1",
        "MRD-positive ≥10⁻³",
        "MRD (≥10−3)",
        "NCT01207388",
        "10.1182/blood-2017-08-798322",
        "Blood 133(24):2625",
    ],
    "e1910": [
        "488",
        "395 (81%)",
        "224",
        "112",
        "30–70 years",
        "85%",
        "68%",
        "80%",
        "64%",
        "HR 0.41 (95% CI 0.23–0.73)",
        "P = 0.002",
        "HR 0.53 (95% CI 0.32–0.87)",
        "43 months",
        "28 µg/day (flat dose)",
        "MRD-negative <10⁻⁴",
        "<0.01% leukemic cells in bone marrow",
        "NCT02003222",
        "10.1056/NEJMoa2312948",
        "39047240",
        "neuropsychiatric events (Blinatumomab + chemotherapy): Higher incidence of "
        "neuropsychiatric events in the blinatumomab group",
        "[memo] secondary summary: HCN Medical Memo",
        "claim of the summary's writers [memo]",
    ],
}

# Labelled facts: shown as "label  value" in a table and "**label:** value" in Markdown.
FACTS = {
    "blast": [
        ("DOI", "10.1182/blood-2017-08-798322"),
        ("Erratum", "Blood 133(24):2625"),
        ("ClinicalTrials.gov", "NCT01207388"),
        ("Treated", "116"),
        ("Evaluable", "113"),
        ("Dose", "15 µg/m²/day"),
        ("MRD criterion", "MRD-positive ≥10⁻³ (source: “MRD (≥10−3)”)"),
        ("Subgroup ph-negative", "Ph-negative ALL in hematologic remission, n = 110"),
    ],
    "e1910": [
        ("DOI", "10.1056/NEJMoa2312948"),
        ("PMID", "39047240"),
        ("ClinicalTrials.gov", "NCT02003222 (also ECOG-E1910)"),
        ("Enrolled", "488"),
        ("Reached remission", "395 (81%)"),
        ("Randomized", "224"),
        ("Median follow-up", "43 months"),
        ("Age", "30–70 years"),
        ("Dose", "28 µg/day (flat dose)"),
        (
            "MRD criterion",
            "MRD-negative <10⁻⁴ (source: “<0.01% leukemic cells in bone marrow”)",
        ),
    ],
}


# --- helpers -------------------------------------------------------------------------


def run(runner: CliRunner, *args: str) -> Any:
    """Invoke blinacli; an unexpected exception fails the test with its traceback."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def flat(text: str) -> str:
    """Text with every run of whitespace (line wraps included) folded to one space."""
    return " ".join(text.split())


def copy_study(study: str, folder: Path) -> Path:
    """A copy of a bundled evidence file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(BUNDLED / f"{study}.yaml", folder / f"{study}.yaml"))


def write_broken_e1910(folder: Path) -> tuple[Path, int]:
    """E1910 with ``phase: three``; returns the file and the line of the bad value."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (BUNDLED / "e1910.yaml").read_text(encoding="utf-8")
    broken = text.replace("\n  phase: 3\n", "\n  phase: three\n", 1)
    assert broken != text, "the bundled e1910.yaml no longer has '  phase: 3'"
    path = folder / "e1910.yaml"
    path.write_text(broken, encoding="utf-8")
    return path, broken.splitlines().index("  phase: three") + 1


def with_title(folder: Path, title_yaml: str) -> Path:
    """A copy of E1910 whose study title is the YAML scalar ``title_yaml``."""
    path = copy_study("e1910", folder)
    text = path.read_text(encoding="utf-8")
    retitled = re.sub(r"^title: .*$", lambda _: f"title: {title_yaml}", text, count=1, flags=re.M)
    path.write_text(retitled, encoding="utf-8")
    return path


def listed_ids(result: Any) -> list[str]:
    """The study ids of ``list --format json`` output."""
    assert result.exit_code == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)["studies"]]


def rich_table(output: str, headers: Sequence[str]) -> list[list[str]]:
    """The body lines of the Rich table headed by ``headers``, cut into cells by column."""
    lines = output.splitlines()
    top = next(i for i, line in enumerate(lines) if all(h in line for h in headers))
    starts = [lines[top].index(h) for h in headers]
    ends = [*starts[1:], None]
    body = []
    for line in lines[top + 2 :]:
        if not line.strip():
            break
        body.append([line[a:b].strip() for a, b in zip(starts, ends, strict=True)])
    return body


def rich_columns(output: str, headers: Sequence[str]) -> dict[str, str]:
    """Each column's text, wrapped lines joined with spaces."""
    body = rich_table(output, headers)
    return {h: " ".join(c[i] for c in body if c[i]) for i, h in enumerate(headers)}


def rich_rows(output: str, headers: Sequence[str], key: str) -> list[dict[str, str]]:
    """Table rows, a new row starting wherever the one-line ``key`` column has text."""
    groups: list[list[list[str]]] = []
    for cells in rich_table(output, headers):
        if cells[headers.index(key)] or not groups:
            groups.append([])
        groups[-1].append(cells)
    return [
        {h: " ".join(c[i] for c in group if c[i]) for i, h in enumerate(headers)}
        for group in groups
    ]


def md_section(markdown: str, title: str) -> list[Token]:
    """The block tokens between the heading ``title`` and the next heading."""
    tokens = MD.parse(markdown)
    start = next(
        i
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and inline_text(tokens[i + 1]) == title
    )
    end = next(
        (i for i in range(start + 1, len(tokens)) if tokens[i].type == "heading_open"),
        len(tokens),
    )
    return tokens[start + 3 : end]


def assert_holds(expected: Any, actual: Any, where: str = "$") -> None:
    """Every key and value of ``expected`` (parsed YAML) is in ``actual`` (parsed JSON)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a mapping, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} is missing"
            assert_holds(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items, not {len(expected)}"
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_holds(e, a, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


# --- the app: version, help, usage ---------------------------------------------------


def test_version_prints_name_and_version(runner: CliRunner) -> None:
    """--version prints 'blinacli <version>' and exits 0."""
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"blinacli {__version__}\n"


def test_help_shows_summary_and_every_command(runner: CliRunner) -> None:
    """--help exits 0 with the app's summary and one line per command."""
    result = run(runner, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: blinacli [OPTIONS] COMMAND [ARGS]...")
    assert "Summarize clinical-trial evidence kept in YAML files" in result.stdout
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s+\S", result.stdout, re.M), name


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help_shows_its_docstring_summary(runner: CliRunner, command: str) -> None:
    """COMMAND --help exits 0 and shows the first paragraph of the command's docstring."""
    registered = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    summary = flat(registered.help.split("\n\n")[0])
    result = run(runner, command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: blinacli {command} [OPTIONS]")
    assert summary in flat(result.stdout)


def test_no_arguments_shows_help_on_stderr_and_exits_2(runner: CliRunner) -> None:
    """With no arguments, Typer prints the help to stderr and exits 2 (a usage error)."""
    result = run(runner)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: blinacli [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.stderr


def test_every_registered_command_has_help_text() -> None:
    """The app registers exactly the commands in COMMANDS, each with a help text."""
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert sorted(commands) == sorted(COMMANDS)
    for name, command in commands.items():
        assert command.help and command.help.strip(), f"{name} has no help text"


def test_every_command_appears_in_the_readme() -> None:
    """README.md shows every registered command as 'blinacli COMMAND'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = [
        name for name in commands if not re.search(rf"blinacli(?: +--?[\w-]+)* +{name}\b", readme)
    ]
    assert not missing, f"README.md has no tour of: {', '.join(missing)}"


def test_unknown_option_is_a_usage_error(runner: CliRunner) -> None:
    """An unknown option exits 2 and names the option on stderr."""
    result = run(runner, "validate", "--bogus")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "No such option: --bogus" in result.stderr


@pytest.mark.parametrize(
    "args", [["list"], ["show", "blast"], ["validate"]], ids=["list", "show", "validate"]
)
def test_unknown_format_is_a_usage_error(runner: CliRunner, args: list[str]) -> None:
    """--format xml exits 2 with a message about --format and prints nothing on stdout."""
    result = run(runner, *args, "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--format'" in result.stderr
    assert "'xml'" in result.stderr


def test_format_is_case_insensitive(runner: CliRunner) -> None:
    """--format JSON is accepted like --format json."""
    assert listed_ids(run(runner, "list", "--format", "JSON")) == ["blast", "e1910"]


# --- validate ------------------------------------------------------------------------


def test_validate_bundled_evidence(runner: CliRunner) -> None:
    """The bundled evidence is valid: one summary line, exit 0."""
    result = run(runner, "validate")
    assert result.exit_code == 0
    assert result.stdout == "valid: 2 files checked: 2 studies, all valid\n"
    assert result.stderr == ""


def test_validate_reports_a_broken_file_with_its_location(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory with one broken file: 'file:line:col: path: message', the summary, exit 1."""
    monkeypatch.chdir(tmp_path)
    copy_study("blast", tmp_path / "studies")
    _, line = write_broken_e1910(tmp_path / "studies")
    result = run(runner, "validate", "studies")
    assert result.exit_code == 1
    finding, summary = result.stdout.splitlines()
    assert finding.startswith(f"{Path('studies', 'e1910.yaml')}:{line}:10: design.phase: expected ")
    assert finding.endswith("found 'three'")
    assert summary == "invalid: 1 problem in 1 of 2 files"


def test_validate_json_report(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--format json gives valid, files, studies and located findings, and still exits 1."""
    monkeypatch.chdir(tmp_path)
    copy_study("blast", tmp_path / "studies")
    _, line = write_broken_e1910(tmp_path / "studies")
    result = run(runner, "validate", "studies", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["files"] == [str(Path("studies", n)) for n in ("blast.yaml", "e1910.yaml")]
    assert report["studies"] == ["blast"]
    [finding] = report["findings"]
    assert finding["file"] == str(Path("studies", "e1910.yaml"))
    assert (finding["line"], finding["column"]) == (line, 10)
    assert finding["path"] == "design.phase"
    assert finding["message"].startswith("expected ")
    assert finding["message"].endswith("found 'three'")


def test_validate_json_report_for_valid_evidence(runner: CliRunner) -> None:
    """--format json on the bundled evidence: valid, both studies, no findings, exit 0."""
    result = run(runner, "validate", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["studies"] == ["blast", "e1910"]
    assert [Path(f).name for f in report["files"]] == ["blast.yaml", "e1910.yaml"]
    assert report["findings"] == []


def test_validate_missing_path(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path that does not exist exits 1 with 'PATH: no such file or directory'."""
    monkeypatch.chdir(tmp_path)
    result = run(runner, "validate", "missing.yaml")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "missing.yaml: no such file or directory"
    assert lines[-1].startswith("invalid: 1 problem")


def test_validate_missing_path_summary_counts_are_consistent(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary never says more files are invalid than were checked ('1 of 0 files'):
    with no evidence file at all, it says so."""
    monkeypatch.chdir(tmp_path)
    result = run(runner, "validate", "missing.yaml")
    summary = result.stdout.splitlines()[-1]
    assert summary == "invalid: 1 problem; no evidence file to check"
    Path("a.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = run(runner, "validate", "missing.yaml", "a.yaml")
    summary = result.stdout.splitlines()[-1]
    match = re.fullmatch(r"invalid: (\d+) problems? in (\d+) of (\d+) files?", summary)
    assert match, summary
    assert int(match[2]) <= int(match[3]), summary


# --- list ----------------------------------------------------------------------------


def test_list_table_shows_every_figure_untruncated(runner: CliRunner) -> None:
    """The 80-column table has both studies' ids, designs, N and headline, uncut and uncoloured."""
    result = run(runner, "list", "--format", "table")
    assert result.exit_code == 0
    out = result.stdout
    assert "…" not in out
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    columns = rich_columns(out, LIST_TABLE_HEADERS)
    assert columns["Study"] == "BLAST blast Gökbuget N 2018 E1910 e1910 Litzow MR 2024"
    assert columns["Design, N"] == (
        "phase 2, single-arm 116 treated phase 3, randomized 224 randomized"
    )
    assert "MRD-positive ≥10⁻³" in columns["Population"]
    assert "30–70 years" in columns["Population"]
    assert "MRD-negative <10⁻⁴" in columns["Population"]
    assert "Complete MRD response: 88/113 (78%) [abstract]" in columns["Headline result"]
    assert (
        "Overall survival at 3 years: Blinatumomab + chemotherapy 85% vs Chemotherapy alone 68%; "
        "HR 0.41 (95% CI 0.23–0.73); P = 0.002 [memo]" in columns["Headline result"]
    )


def test_list_default_when_piped_is_one_markdown_table(runner: CliRunner) -> None:
    """Without --format and not on a terminal, list prints one Markdown table of two rows."""
    result = run(runner, "list")
    assert result.exit_code == 0
    assert result.stdout.startswith("| Study | Design | Population | N | Headline result |\n")
    [(header, rows)] = md_tables(result.stdout)
    assert header == ["Study", "Design", "Population", "N", "Headline result"]
    blast, e1910 = rows
    assert blast[0] == "BLAST (blast), Gökbuget N 2018"
    assert blast[1] == "phase 2, single-arm"
    assert "MRD-positive ≥10⁻³" in blast[2]
    assert blast[3] == "116 treated"
    assert blast[4] == "Complete MRD response: 88/113 (78%) [abstract]"
    assert e1910[0] == "E1910 (e1910), Litzow MR 2024"
    assert e1910[1] == "phase 3, randomized"
    assert "30–70 years" in e1910[2]
    assert "MRD-negative <10⁻⁴" in e1910[2]
    assert e1910[3] == "224 randomized"
    assert e1910[4] == (
        "Overall survival at 3 years: Blinatumomab + chemotherapy 85% vs Chemotherapy alone 68%; "
        "HR 0.41 (95% CI 0.23–0.73); P = 0.002 [memo]"
    )


def test_list_json(runner: CliRunner) -> None:
    """list --format json holds one object per study with the text shown and its values."""
    result = run(runner, "list", "--format", "json")
    assert result.exit_code == 0
    blast, e1910 = json.loads(result.stdout)["studies"]
    assert_holds(
        {
            "id": "blast",
            "acronym": "BLAST",
            "author_year": "Gökbuget N 2018",
            "design": "phase 2, single-arm",
            "population": "adults; BCP-ALL in hematologic complete remission; MRD-positive ≥10⁻³",
            "n": "116 treated",
            "headline": "Complete MRD response: 88/113 (78%)",
            "headline_sources": ["abstract"],
            "phase": 2,
            "allocation": "single-arm",
            "n_value": 116,
            "n_stage": "treated",
            "headline_outcome": "mrd-response",
        },
        blast,
    )
    assert_holds(
        {
            "id": "e1910",
            "acronym": "E1910",
            "author_year": "Litzow MR 2024",
            "design": "phase 3, randomized",
            "population": "30–70 years; BCR::ABL1-negative BCP-ALL in MRD-negative remission; "
            "MRD-negative <10⁻⁴",
            "n": "224 randomized",
            "headline": "Overall survival at 3 years: Blinatumomab + chemotherapy 85% vs "
            "Chemotherapy alone 68%; HR 0.41 (95% CI 0.23–0.73); P = 0.002",
            "headline_sources": ["memo"],
            "phase": 3,
            "allocation": "randomized",
            "n_value": 224,
            "n_stage": "randomized",
            "headline_outcome": "os-3-years",
        },
        e1910,
    )


# --- show: terminal table ------------------------------------------------------------


@pytest.mark.parametrize("study", STUDIES)
def test_show_table_has_every_seed_figure(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, study: str
) -> None:
    """On a wide terminal, show --format table has every figure of the seed document."""
    monkeypatch.setenv("COLUMNS", "200")
    result = run(runner, "show", study, "--full", "--format", "table")
    assert result.exit_code == 0
    text = flat(result.stdout)
    missing = [seed for seed in SEEDS[study] if seed not in text]
    assert not missing
    missing_facts = [f"{k} {v}" for k, v in FACTS[study] if f"{k} {v}" not in text]
    assert not missing_facts


@pytest.mark.parametrize("study", STUDIES)
def test_show_table_at_80_columns_is_uncut_and_uncoloured(runner: CliRunner, study: str) -> None:
    """At 80 columns no figure is cut or lost, no line is wider, and there is no ANSI escape."""
    result = run(runner, "show", study, "--full", "--format", "table")
    assert result.exit_code == 0
    assert "…" not in result.stdout
    assert "\x1b" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    cut = [w for seed in SEEDS[study] for w in seed.split() if w not in result.stdout]
    assert not cut


def test_show_table_safety_rows_at_80_columns(runner: CliRunner) -> None:
    """BLAST's adverse-event table pairs each event and grade with its count and timing."""
    result = run(runner, "show", "blast", "--full", "--format", "table")
    rows = rich_rows(result.stdout, SAFETY_TABLE_HEADERS, key="Grade")
    assert [(r["Event"], r["Grade"], r["n (%)"], r["Timing"]) for r in rows] == [
        ("neurologic events", "3", "12 (10%) [abstract]", ""),
        ("neurologic events", "4", "3 (3%) [abstract]", ""),
        ("cytokine release syndrome", "any", "4 (3%) [abstract]", "all during cycle 1"),
        ("cytokine release syndrome", "1", "2 [abstract]", "all during cycle 1"),
        ("cytokine release syndrome", "3", "2 [abstract]", "all during cycle 1"),
    ]
    assert {r["Arm"] for r in rows} == {"Blinatumomab"}
    assert {r["Of"] for r in rows} == {"not stated"}


def test_show_table_prints_rich_markup_literally(runner: CliRunner, tmp_path: Path) -> None:
    """Rich markup in a study title is printed as written, not interpreted."""
    path = with_title(tmp_path, '"[bold]x[/bold] and [red]alarm"')
    result = run(runner, "show", "e1910", "--evidence", str(path), "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "E1910 — [bold]x[/bold] and [red]alarm" in result.stdout


def test_show_table_makes_control_characters_visible(runner: CliRunner, tmp_path: Path) -> None:
    """An escape character in evidence is shown as '\\x1b', never sent to the terminal."""
    path = with_title(tmp_path, '"Safe\\e[31mRED"')
    result = run(runner, "show", "e1910", "--evidence", str(path), "--format", "table")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "E1910 — Safe\\x1b[31mRED" in result.stdout


# --- show: Markdown ------------------------------------------------------------------


def test_show_default_when_piped_is_markdown(runner: CliRunner) -> None:
    """Without --format and not on a terminal, show prints Markdown with the study as h1."""
    result = run(runner, "show", "blast")
    assert result.exit_code == 0
    assert result.stdout.startswith("# BLAST — Blinatumomab for minimal residual disease")


@pytest.mark.parametrize("study", STUDIES)
def test_show_markdown_has_every_seed_figure(runner: CliRunner, study: str) -> None:
    """show --format markdown has every figure and labelled fact of the seed document."""
    result = run(runner, "show", study, "--full", "--format", "markdown")
    assert result.exit_code == 0
    text = md_text(result.stdout)
    missing = [seed for seed in SEEDS[study] if seed not in text]
    assert not missing
    missing_facts = [f"{k}: {v}" for k, v in FACTS[study] if f"{k}: {v}" not in text]
    assert not missing_facts


def test_show_markdown_escapes_less_than(runner: CliRunner) -> None:
    """Every '<' in E1910's Markdown is written '&lt;', so none can open raw HTML, and no
    reader shows a stray backslash (Python-Markdown keeps the one of '\\<')."""
    result = run(runner, "show", "e1910", "--full", "--format", "markdown")
    assert "MRD-negative &lt;10⁻⁴" in result.stdout
    assert "&lt;0.01% leukemic cells in bone marrow" in result.stdout
    assert "<" not in result.stdout and "\\<" not in result.stdout


@pytest.mark.parametrize("study", STUDIES)
def test_show_markdown_sections(runner: CliRunner, study: str) -> None:
    """One h1 naming the study, then the h2 sections in order."""
    result = run(runner, "show", study, "--full", "--format", "markdown")
    headings = md_headings(result.stdout)
    [(level, title)] = [h for h in headings if h[0] == 1]
    assert title.startswith(f"{study.upper()} — Blinatumomab for ")
    sections = [text for level, text in headings if level == 2]
    assert [s for s in sections if s in SECTIONS] == list(SECTIONS)


@pytest.mark.parametrize(
    ("study", "headers"),
    [("blast", [OUTCOME_MD_HEADER, SAFETY_MD_HEADER]), ("e1910", [OUTCOME_MD_HEADER])],
)
def test_show_markdown_tables_parse_with_intended_headers(
    runner: CliRunner, study: str, headers: list[list[str]]
) -> None:
    """Each Markdown table parses with its header, and no row has a stray cell."""
    result = run(runner, "show", study, "--full", "--format", "markdown")
    tables = md_tables(result.stdout)
    assert [header for header, _ in tables] == headers
    unescaped_pipe = re.compile(r"(?<!\\)\|")
    table_lines = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert {len(unescaped_pipe.findall(line)) for line in table_lines} == {8}


def test_show_markdown_blast_rows(runner: CliRunner) -> None:
    """BLAST's outcome and safety rows hold each figure in its column."""
    result = run(runner, "show", "blast", "--full", "--format", "markdown")
    (_, outcomes), (_, safety) = md_tables(result.stdout)
    assert outcomes[0] == [
        "complete MRD response",
        "113 evaluable patients of 116 treated",
        "after 1 cycle",
        "primary",
        "Blinatumomab",
        "88/113 (78%)",
        "[abstract]",
    ]
    results = {(row[0], row[4]): row[5] for row in outcomes}
    assert results[("Median overall survival (OS)", "Blinatumomab")] == (
        "median 36.5 months (95% CI 22.0 to not estimable)"
    )
    comparisons = [row[5] for row in outcomes if row[4].endswith(" vs MRD nonresponders")]
    assert comparisons == ["P = 0.002", "P = 0.002"]
    assert safety == [
        ["neurologic events", "3", "Blinatumomab", "12 (10%)", "not stated", "", "[abstract]"],
        ["neurologic events", "4", "Blinatumomab", "3 (3%)", "not stated", "", "[abstract]"],
        [
            "cytokine release syndrome",
            "any",
            "Blinatumomab",
            "4 (3%)",
            "not stated",
            "all during cycle 1",
            "[abstract]",
        ],
        [
            "cytokine release syndrome",
            "1",
            "Blinatumomab",
            "2",
            "not stated",
            "all during cycle 1",
            "[abstract]",
        ],
        [
            "cytokine release syndrome",
            "3",
            "Blinatumomab",
            "2",
            "not stated",
            "all during cycle 1",
            "[abstract]",
        ],
    ]


def test_show_markdown_e1910_rows(runner: CliRunner) -> None:
    """E1910's outcome rows hold both arms' rates and the hazard ratios between them."""
    result = run(runner, "show", "e1910", "--full", "--format", "markdown")
    [(_, outcomes)] = md_tables(result.stdout)
    assert [(row[4], row[5]) for row in outcomes] == [
        ("Blinatumomab + chemotherapy", "85%"),
        ("Chemotherapy alone", "68%"),
        (
            "Blinatumomab + chemotherapy vs Chemotherapy alone",
            "Hazard ratio for death: HR 0.41 (95% CI 0.23–0.73); P = 0.002",
        ),
        (
            "† Blinatumomab + chemotherapy vs Chemotherapy alone",
            "† difference +17 percentage points; number needed to treat 6",
        ),
        ("† Blinatumomab + chemotherapy vs Chemotherapy alone", "† P ≈ 0.0025 implied by the CI"),
        ("Blinatumomab + chemotherapy", "80%"),
        ("Chemotherapy alone", "64%"),
        (
            "Blinatumomab + chemotherapy vs Chemotherapy alone",
            "Hazard ratio for relapse or death: HR 0.53 (95% CI 0.32–0.87)",
        ),
        (
            "† Blinatumomab + chemotherapy vs Chemotherapy alone",
            "† difference +16 percentage points; number needed to treat 7",
        ),
        ("† Blinatumomab + chemotherapy vs Chemotherapy alone", "† P ≈ 0.013 implied by the CI"),
    ]
    assert outcomes[0][:4] == ["Overall survival at 3 years", "not stated", "3 years", "primary"]
    assert outcomes[5][:4] == [
        "3-year relapse-free survival",
        "not stated",
        "3 years",
        "secondary",
    ]
    assert outcomes[3][6] == "from 85% vs 68% at 3 years"
    assert "† derived by blinacli from the reported figures" in result.stdout


@pytest.mark.parametrize(
    ("study", "arms"),
    [("blast", ["Blinatumomab"]), ("e1910", ["Blinatumomab + chemotherapy", "Chemotherapy alone"])],
)
def test_show_markdown_dosing_keeps_each_arm_apart(
    runner: CliRunner, study: str, arms: list[str]
) -> None:
    """Each dosing regimen is its own italic arm label followed by its own bullet list."""
    result = run(runner, "show", study, "--full", "--format", "markdown")
    section = md_section(result.stdout, "Dosing")
    labels = [
        inline_text(section[i + 1])
        for i, t in enumerate(section)
        if t.type == "paragraph_open" and t.level == 0
    ]
    assert labels == arms
    assert sum(t.type == "bullet_list_open" and t.level == 0 for t in section) == len(arms)


@pytest.mark.parametrize(
    "args",
    [["list"], ["show", "blast"], ["show", "e1910"]],
    ids=["list", "show-blast", "show-e1910"],
)
def test_markdown_is_clean(runner: CliRunner, args: list[str]) -> None:
    """Markdown output has no trailing whitespace, no raw HTML and no ANSI escape."""
    result = run(runner, *args, "--format", "markdown")
    assert result.exit_code == 0
    assert [line for line in result.stdout.splitlines() if line != line.rstrip()] == []
    assert result.stdout.endswith("\n") and not result.stdout.endswith("\n\n")
    assert "\x1b" not in result.stdout
    tokens = MD.parse(result.stdout)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_block", "html_inline"}


# --- show: JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("study", STUDIES)
def test_show_json_is_the_study_as_validated(runner: CliRunner, study: str) -> None:
    """show --format json holds every key and value of the evidence file."""
    result = run(runner, "show", study, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert_holds(yaml.safe_load((BUNDLED / f"{study}.yaml").read_text(encoding="utf-8")), data)


def test_show_json_keeps_estimates_p_values_and_not_estimable(runner: CliRunner) -> None:
    """Numbers stay numbers, an absent p-value is null, 'not estimable' is kept as text."""
    e1910 = json.loads(run(runner, "show", "e1910", "--format", "json").stdout)
    os_hr = e1910["outcomes"][0]["comparison"]
    assert os_hr["estimate"] == 0.41
    assert os_hr["ci"] == {"level": 95, "lower": 0.23, "upper": 0.73}
    assert os_hr["p"] == 0.002
    assert e1910["outcomes"][1]["comparison"]["estimate"] == 0.53
    assert e1910["outcomes"][1]["comparison"]["p"] is None
    blast = json.loads(run(runner, "show", "blast", "--format", "json").stdout)
    assert blast["outcomes"][2]["results"][0]["ci"]["upper"] == "not estimable"
    assert blast["outcomes"][3]["comparison"]["p"] == 0.002
    assert blast["population"]["mrd"]["threshold"] == 0.001


# --- show: choosing the study and errors ---------------------------------------------


@pytest.mark.parametrize(
    ("query", "acronym"), [("E1910", "E1910"), ("Blast", "BLAST"), ("BLAST", "BLAST")]
)
def test_show_matches_ids_in_any_case(runner: CliRunner, query: str, acronym: str) -> None:
    """An id or acronym in any case finds the study."""
    result = run(runner, "show", query)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"# {acronym} — ")


def test_show_unknown_id_suggests_the_closest(runner: CliRunner) -> None:
    """An unknown id exits 1 with one error line suggesting the closest id, no traceback."""
    result = run(runner, "show", "e191")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: no study 'e191'; did you mean 'e1910'?\n"


def test_show_with_invalid_evidence_lists_findings(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """show over an invalid file exits 1 and lists the located finding on stderr, no traceback."""
    monkeypatch.chdir(tmp_path)
    _, line = write_broken_e1910(tmp_path)
    result = run(runner, "show", "e1910", "--evidence", "e1910.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    finding, error = result.stderr.splitlines()
    assert finding.startswith(f"e1910.yaml:{line}:10: design.phase: expected ")
    assert error == "error: the evidence in use is invalid: 1 problem in 1 of 1 file"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("broken", [False, True], ids=["unknown-id", "invalid-evidence"])
def test_debug_shows_a_traceback(runner: CliRunner, tmp_path: Path, broken: bool) -> None:
    """With --debug before the command, a failure also prints its traceback on stderr."""
    if broken:
        path, _ = write_broken_e1910(tmp_path)
        args, exception = ["show", "e1910", "--evidence", str(path)], "EvidenceError"
    else:
        args, exception = ["show", "e191"], "StudyNotFound"
    result = run(runner, "--debug", *args)
    assert result.exit_code == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert exception in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: ")


# --- choosing the evidence -----------------------------------------------------------


def test_evidence_option_with_one_file(runner: CliRunner, tmp_path: Path) -> None:
    """--evidence with a copy of one bundled file lists only that study."""
    path = copy_study("e1910", tmp_path)
    assert listed_ids(run(runner, "list", "--evidence", str(path), "--format", "json")) == ["e1910"]


def test_evidence_option_repeated(runner: CliRunner, tmp_path: Path) -> None:
    """--evidence given twice lists both studies, in the order given."""
    e1910 = copy_study("e1910", tmp_path / "a")
    blast = copy_study("blast", tmp_path / "b")
    result = run(runner, "list", "-e", str(e1910), "--evidence", str(blast), "--format", "json")
    assert listed_ids(result) == ["e1910", "blast"]


def test_environment_path_list(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BLINACLI_EVIDENCE, a list of paths joined with os.pathsep, chooses the evidence."""
    blast = copy_study("blast", tmp_path / "a")
    e1910 = copy_study("e1910", tmp_path / "b")
    monkeypatch.setenv("BLINACLI_EVIDENCE", os.pathsep.join([str(blast), str(e1910)]))
    assert listed_ids(run(runner, "list", "--format", "json")) == ["blast", "e1910"]
    monkeypatch.setenv("BLINACLI_EVIDENCE", str(e1910))
    assert listed_ids(run(runner, "list", "--format", "json")) == ["e1910"]


def test_evidence_option_overrides_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--evidence wins over BLINACLI_EVIDENCE."""
    monkeypatch.setenv("BLINACLI_EVIDENCE", str(copy_study("e1910", tmp_path / "env")))
    blast = copy_study("blast", tmp_path / "option")
    result = run(runner, "list", "--evidence", str(blast), "--format", "json")
    assert listed_ids(result) == ["blast"]


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m blinacli` is the same program as the console script."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "blinacli", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"blinacli {__version__}\n"


def test_no_color_is_honoured_on_a_colour_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a forced colour terminal with NO_COLOR, styles stay but no colour code is sent."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    result = run(runner, "list", "--format", "table")
    assert result.exit_code == 0
    assert "\x1b[1m" in result.stdout  # bold: the terminal really is treated as styled
    assert (
        re.findall(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]", result.stdout) == []
    )


def test_json_output_is_written_exactly_as_json_dumps_would() -> None:
    """The CLI's fast JSON writer gives the same text as json.dumps(indent=2): floats in
    exponent form, non-ASCII text, escapes and empty containers included; hidden
    characters (U+2028 here) as \\u escapes, by blinacli.base.controls.escape_json."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from blinacli.base.controls import escape_json
    from blinacli.cli.common import _json

    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    payloads = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
    fixed = {"a": [1e-05, 1e16, 5e-324, 0.1, 22.0, -0.0], "é": '\x00\t\u2028<>&"\\', "e": {}}
    assert _json(fixed) == escape_json(json.dumps(fixed, ensure_ascii=False, indent=2))
    assert "\\u2028" in _json(fixed)

    @settings(max_examples=300, deadline=None)
    @given(payloads)
    def same(payload: object) -> None:
        assert _json(payload) == escape_json(json.dumps(payload, ensure_ascii=False, indent=2))
        assert json.loads(_json(payload)) == payload

    same()

"""Looking a study up: an exact id always wins, and an acronym never picks one study
out of several or stands in for another study's id.

Every command that takes study ids (show, compare, cite) resolves them the same way,
and validate reports the acronyms that make a look-up ambiguous.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from blinacli.base.errors import AmbiguousStudy, StudyNotFound
from blinacli.base.findings import Finding
from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader

E1910 = (evidence_dir() / "e1910.yaml").read_text(encoding="utf-8")
BLAST = (evidence_dir() / "blast.yaml").read_text(encoding="utf-8")


def renamed(text: str, new_id: str, acronym: str | None = None) -> str:
    """A bundled study's text under another id (and acronym, when given)."""
    old_id = "e1910" if text is E1910 else "blast"
    old_acronym = "E1910" if text is E1910 else "BLAST"
    assert text.count(f"\nid: {old_id}\n") == 1
    text = text.replace(f"\nid: {old_id}\n", f"\nid: {new_id}\n")
    if acronym is not None:
        assert text.count(f"\nacronym: {old_acronym}\n") == 1
        text = text.replace(f"\nacronym: {old_acronym}\n", f"\nacronym: {acronym}\n")
    return text


def position(text: str, fragment: str) -> tuple[int, int]:
    """1-based (line, column) of the only ``fragment`` in ``text``."""
    assert text.count(fragment) == 1
    index = text.index(fragment)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, so files are shown by their relative names."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def impostor(here: Path) -> Path:
    """A folder holding a study whose acronym is the id of the bundled E1910, in a
    file that sorts before it."""
    folder = here / "impostor"
    folder.mkdir()
    (folder / "aaa.yaml").write_text(renamed(E1910, "aaa-impostor", "e1910"), encoding="utf-8")
    return folder


@pytest.fixture
def two_blasts(here: Path) -> Path:
    """A folder of two studies with the acronym BLAST and neither with the id blast."""
    folder = here / "blasts"
    folder.mkdir()
    (folder / "a.yaml").write_text(renamed(BLAST, "blast-a"), encoding="utf-8")
    (folder / "b.yaml").write_text(renamed(BLAST, "blast-b"), encoding="utf-8")
    return folder


# --- The library's look-up -------------------------------------------------------------


@pytest.mark.parametrize("query", ["e1910", "E1910", " e1910 "])
def test_an_exact_id_wins_over_another_studys_acronym(impostor: Path, query: str) -> None:
    """The impostor's acronym is 'e1910' and its file comes first; the id still wins."""
    evidence = loader.load(["impostor", evidence_dir()])
    assert [s.id for s in evidence.studies] == ["aaa-impostor", "blast", "e1910"]
    assert evidence.find(query).id == "e1910"


def test_an_acronym_shared_by_two_studies_is_an_error_naming_both(two_blasts: Path) -> None:
    evidence = loader.load(["blasts"])
    with pytest.raises(AmbiguousStudy) as info:
        evidence.find("blast")
    assert info.value.matches == [("blast-a", "blasts/a.yaml"), ("blast-b", "blasts/b.yaml")]
    assert str(info.value) == (
        "'blast' is the acronym of 2 studies: blast-a (blasts/a.yaml), "
        "blast-b (blasts/b.yaml); name the one you mean by its id"
    )
    assert evidence.find("blast-b").id == "blast-b"


def test_an_acronym_shared_with_a_study_whose_id_it_is(two_blasts: Path) -> None:
    """With the bundled BLAST (id blast) there too, 'blast' is that study's id: it wins."""
    evidence = loader.load(["blasts", evidence_dir()])
    assert evidence.find("BLAST").id == "blast"


def test_a_unique_acronym_still_finds_its_study(impostor: Path) -> None:
    evidence = loader.load(["impostor"])
    assert evidence.find("E1910").id == "aaa-impostor"


def test_unknown_query_is_still_not_found(two_blasts: Path) -> None:
    with pytest.raises(StudyNotFound):
        loader.load(["blasts"]).find("nothing-like-it")


# --- Validation: the acronyms that make a look-up ambiguous ------------------------------


def test_validate_reports_an_acronym_that_is_another_studys_id(impostor: Path) -> None:
    report, loaded = loader.check(["impostor", evidence_dir()])
    text = (impostor / "aaa.yaml").read_text(encoding="utf-8")
    line, _ = position(text, "\nacronym: e1910\n")
    e1910 = str(evidence_dir() / "e1910.yaml")
    assert report.findings == [
        Finding(
            "impostor/aaa.yaml",
            "acronym",
            f"acronym 'e1910' is the id of another study: e1910 ({e1910})",
            line + 1,
            1,
            path="acronym",
            hint="a look-up of 'e1910' finds that study; give this one its own acronym",
        )
    ]
    assert len(loaded) == 3  # every study is still read


def test_validate_reports_a_repeated_acronym_at_its_key(two_blasts: Path) -> None:
    report, _ = loader.check(["blasts"])
    text = (two_blasts / "b.yaml").read_text(encoding="utf-8")
    line, _ = position(text, "\nacronym: BLAST\n")
    finding = Finding(
        "blasts/b.yaml",
        "acronym",
        "acronym 'BLAST' is also the acronym of blast-a (blasts/a.yaml)",
        line + 1,
        1,
        path="acronym",
        hint="a look-up by this acronym cannot tell them apart; give each study its own",
    )
    assert report.findings == [finding]
    assert str(finding) == (
        f"blasts/b.yaml:{line + 1}:1: acronym: acronym 'BLAST' is also the acronym of "
        "blast-a (blasts/a.yaml) (a look-up by this acronym cannot tell them apart; "
        "give each study its own)"
    )


def test_acronyms_differing_only_in_case_are_the_same(here: Path) -> None:
    Path("a.yaml").write_text(renamed(BLAST, "blast-a", "Blast"), encoding="utf-8")
    Path("b.yaml").write_text(renamed(BLAST, "blast-b", "BLAST"), encoding="utf-8")
    report, _ = loader.check(["a.yaml", "b.yaml"])
    assert [(f.file, f.kind) for f in report.findings] == [("b.yaml", "acronym")]


def test_a_study_whose_acronym_is_its_own_id_is_fine(here: Path) -> None:
    report, _ = loader.check([evidence_dir()])
    assert report.findings == []


# --- The command line --------------------------------------------------------------------


def test_show_gives_the_study_whose_id_was_asked(runner: CliRunner, impostor: Path) -> None:
    for query in ("e1910", "E1910"):
        result = runner.invoke(
            app, ["show", query, "-e", "impostor", "-e", str(evidence_dir()), "-f", "json"]
        )
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["id"] == "e1910"


def test_compare_and_cite_resolve_ids_the_same_way(runner: CliRunner, impostor: Path) -> None:
    paths = ["-e", "impostor", "-e", str(evidence_dir())]
    compared = runner.invoke(app, ["compare", "e1910", "blast", *paths, "-f", "json"])
    assert compared.exit_code == 0, compared.stderr
    assert [s["id"] for s in json.loads(compared.stdout)["studies"]] == ["e1910", "blast"]
    cited = runner.invoke(app, ["cite", "e1910", *paths])
    assert cited.exit_code == 0, cited.stderr
    assert "@article{litzow2024-e1910," in cited.stdout
    assert "impostor" not in cited.stdout


@pytest.mark.parametrize("command", [["show"], ["cite"], ["compare", "e1910"]])
def test_an_ambiguous_acronym_exits_1_naming_each_study_and_file(
    runner: CliRunner, two_blasts: Path, command: list[str]
) -> None:
    paths = ["-e", "blasts"] if command[0] != "compare" else ["-e", "blasts", "-e", "e1910.yaml"]
    Path("e1910.yaml").write_text(E1910, encoding="utf-8")
    result = runner.invoke(app, [*command, "BLAST", *paths])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: 'BLAST' is the acronym of 2 studies: blast-a (blasts/a.yaml), "
        "blast-b (blasts/b.yaml); name the one you mean by its id\n"
    )


def test_validate_fails_and_list_still_works(runner: CliRunner, two_blasts: Path) -> None:
    """An ambiguous acronym is an error for validate (exit 1); the other commands still
    read the evidence, since no study is lost and each id names one study."""
    validated = runner.invoke(app, ["validate", "blasts"])
    assert validated.exit_code == 1
    assert validated.stdout.splitlines()[-1] == "invalid: 1 problem in 1 of 2 files"
    listed = runner.invoke(app, ["list", "-e", "blasts", "-f", "json"])
    assert listed.exit_code == 0, listed.stderr
    assert [s["id"] for s in json.loads(listed.stdout)["studies"]] == ["blast-a", "blast-b"]


def test_github_annotation_of_an_acronym_finding(runner: CliRunner, impostor: Path) -> None:
    result = runner.invoke(app, ["validate", "-f", "github", "impostor", str(evidence_dir())])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=impostor/aaa.yaml,line=7,col=1,title=blinacli acronym::")

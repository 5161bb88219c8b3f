"""Loader: every kind of problem is reported with its file, line, column and field path.

Each case starts from the bundled E1910 file and makes one textual change, so
the expected line and column are computed from the edited text rather than
hard-coded. Tests run in ``tmp_path``, so files are shown by their bare names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from blinacli import model
from blinacli.base.errors import EvidenceError, StudyNotFound
from blinacli.base.findings import Finding
from blinacli.base.resources import evidence_dir
from blinacli.load import discovery, loader

REPO = Path(__file__).resolve().parents[1]
E1910 = (REPO / "evidence" / "e1910.yaml").read_text(encoding="utf-8")
FILE = "study.yaml"
BOM = b"\xef\xbb\xbf"

# The wording of syntax errors is libyaml's, which PyYAML uses when it has it.
needs_libyaml = pytest.mark.skipif(
    not hasattr(yaml, "CSafeLoader"), reason="syntax-error wording is libyaml's"
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work in tmp_path with no evidence path from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(discovery.ENV_EVIDENCE, raising=False)


def edited(old: str, new: str, text: str = E1910) -> str:
    """``text`` with the single occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, fragment: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the character ``offset`` into the only ``fragment``."""
    assert text.count(fragment) == 1, f"{fragment!r} occurs {text.count(fragment)} times"
    index = text.index(fragment) + offset
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def write(name: str, content: str | bytes) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only_finding(content: str | bytes, name: str = FILE) -> Finding:
    """The one finding for a file holding ``content``; the file yields no study."""
    report, loaded = loader.check([write(name, content)])
    assert loaded == []
    assert report.files == [name]
    assert len(report.findings) == 1, report.findings
    return report.findings[0]


def study_id(new_id: str, text: str = E1910) -> str:
    return edited("id: e1910\n", f"id: {new_id}\n", text)


def acronym(new: str, text: str = E1910) -> str:
    """``text`` with the acronym ``new``: studies read together need acronyms of their own."""
    return edited("acronym: E1910\n", f"acronym: {new}\n", text)


# --- The bundled evidence and where evidence comes from -------------------------------------


def test_bundled_evidence_is_valid_and_used_by_default() -> None:
    """With no paths and no $BLINACLI_EVIDENCE, the bundled studies load without findings."""
    report, loaded = loader.check()
    assert report.findings == []
    assert report.valid
    assert report.files == [str(evidence_dir() / "blast.yaml"), str(evidence_dir() / "e1910.yaml")]
    assert report.studies == ["blast", "e1910"]
    assert [item.study.id for item in loaded] == ["blast", "e1910"]
    assert report.summary() == "2 files checked: 2 studies, all valid"


def test_bundled_numbers_keep_their_written_form() -> None:
    """Through YAML too, 85 stays an int and 22.0 stays a float."""
    evidence = loader.load()
    rate = evidence.find("e1910").outcomes[0].results[0]
    median = evidence.find("blast").outcomes[2].results[0]
    assert isinstance(rate, model.Rate)
    assert isinstance(median, model.Time)
    assert median.ci is not None
    assert (repr(rate.percent), repr(median.value)) == ("85", "36.5")
    assert (repr(median.ci.lower), median.ci.upper) == ("22.0", "not estimable")


def test_environment_path_list_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """$BLINACLI_EVIDENCE is a path list (os.pathsep); empty entries are ignored."""
    write("one/a.yaml", acronym("A", study_id("study-a")))
    write("two/b.yaml", acronym("B", study_id("study-b")))
    monkeypatch.setenv(discovery.ENV_EVIDENCE, os.pathsep.join(["one/a.yaml", "", "two"]))
    report, _ = loader.check()
    assert report.findings == []
    assert report.files == ["one/a.yaml", "two/b.yaml"]
    assert report.studies == ["study-a", "study-b"]


def test_explicit_paths_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths given to check() win over $BLINACLI_EVIDENCE."""
    write("mine.yaml", study_id("mine"))
    monkeypatch.setenv(discovery.ENV_EVIDENCE, "does-not-exist.yaml")
    report, _ = loader.check(["mine.yaml"])
    assert report.findings == []
    assert report.studies == ["mine"]


def test_directory_is_searched_recursively_skipping_hidden() -> None:
    """A directory yields its .yaml and .yml files at any depth, sorted; hidden ones are skipped."""
    write("evidence/top.yaml", acronym("TOP", study_id("top")))
    write("evidence/nested/deeper/inner.yml", acronym("INNER", study_id("inner")))
    write("evidence/.drafts/broken.yaml", "id: [unclosed\n")
    write("evidence/nested/.hidden.yaml", "id: [unclosed\n")
    write("evidence/notes.txt", "not evidence")
    write("evidence/readme.md", "# not evidence")
    report, _ = loader.check(["evidence"])
    assert report.findings == []
    assert report.files == ["evidence/nested/deeper/inner.yml", "evidence/top.yaml"]
    assert report.studies == ["inner", "top"]


def test_directory_inside_a_hidden_directory_is_searched() -> None:
    """Only hidden parts below the given directory are skipped, not the directory's own path."""
    write(".config/evidence/mine.yaml", study_id("mine"))
    report, _ = loader.check([".config/evidence"])
    assert report.files == [".config/evidence/mine.yaml"]
    assert report.studies == ["mine"]


def test_missing_path_is_a_file_finding() -> None:
    """A path that does not exist is reported (kind file), with no line to point at."""
    report, loaded = loader.check(["missing.yaml", "no-such-dir"])
    assert loaded == []
    assert report.findings == [
        Finding("missing.yaml", "file", "no such file or directory"),
        Finding("no-such-dir", "file", "no such file or directory"),
    ]
    assert str(report.findings[0]) == "missing.yaml: no such file or directory"


def test_every_file_is_checked() -> None:
    """One bad file does not stop the others: all problems are reported in one run."""
    write("a.yaml", edited("  allocation: randomized\n", "  allocation: randomised\n"))
    write("b.yaml", study_id("good"))
    write("c.yaml", edited("  phase: 3\n", "  phase: 3: 4\n"))
    report, loaded = loader.check(["a.yaml", "b.yaml", "c.yaml"])
    assert [(f.file, f.kind) for f in report.findings] == [("a.yaml", "schema"), ("c.yaml", "yaml")]
    assert [item.file for item in loaded] == ["b.yaml"]
    assert report.summary() == "2 problems in 2 of 3 files"


# --- Reading and parsing ------------------------------------------------------------------


@needs_libyaml
def test_yaml_syntax_error() -> None:
    """A syntax error points at the character where parsing failed."""
    text = edited("  phase: 3\n", "  phase: 3: 4\n")
    line, column = at(text, "phase: 3: 4", len("phase: 3"))
    finding = only_finding(text)
    message = "invalid YAML: mapping values are not allowed in this context"
    assert finding == Finding(FILE, "yaml", message, line, column)
    assert str(finding) == f"{FILE}:{line}:{column}: {message}"


@needs_libyaml
def test_tab_indentation() -> None:
    """A tab used for indentation is reported at the tab, with a hint to use spaces."""
    text = edited("  allocation: randomized\n", "\tallocation: randomized\n")
    line, column = at(text, "\tallocation")
    finding = only_finding(text)
    message = (
        "invalid YAML: found a tab character that violates indentation "
        "(while scanning a plain scalar)"
    )
    hint = "indent with spaces, not tabs"
    assert finding == Finding(FILE, "yaml", message, line, column, hint=hint)
    assert str(finding) == f"{FILE}:{line}:{column}: {message} ({hint})"


def test_impossible_unquoted_date_is_a_yaml_finding() -> None:
    """YAML reads 2024-02-30 as a date and cannot build it: a finding at the value,
    not a crash."""
    text = edited('  date: "2024-07-25"\n', "  date: 2024-02-30\n")
    line, column = at(text, "2024-02-30")
    finding = only_finding(text)
    assert (finding.kind, finding.line, finding.column) == ("yaml", line, column)
    assert finding.message == (
        "invalid YAML: '2024-02-30' is not a valid date (day is out of range for month); "
        "quote it to keep it as text"
    )


def test_duplicate_mapping_key() -> None:
    """A repeated key is an error (YAML would keep the last silently), naming the first line."""
    text = edited("  phase: 3\n", "  phase: 3\n  phase: 2\n")
    first_line, _ = at(text, "phase: 3")
    line, column = at(text, "phase: 2")
    finding = only_finding(text)
    message = f"invalid YAML: found duplicate key 'phase' (first at line {first_line})"
    assert finding == Finding(FILE, "yaml", message, line, column)
    assert str(finding) == f"{FILE}:{line}:{column}: {message}"


def test_invalid_utf8() -> None:
    """A byte that is not UTF-8 is reported at its own line and column."""
    # "\udcff" is how surrogateescape holds the raw byte 0xff inside a str.
    text = edited("acronym: E1910\n", "acronym: E19\udcff10\n")
    line, column = at(text, "\udcff")
    finding = only_finding(text.encode("utf-8", "surrogateescape"))
    message = "not valid UTF-8: byte 0xff cannot be decoded"
    hint = "save the file as UTF-8"
    assert finding == Finding(FILE, "encoding", message, line, column, hint=hint)
    assert str(finding) == f"{FILE}:{line}:{column}: {message} ({hint})"


def test_invalid_utf8_after_byte_order_mark() -> None:
    """A byte-order mark does not shift the reported byte or its position."""
    text = edited("acronym: E1910\n", "acronym: E19\udcff10\n")
    line, column = at(text, "\udcff")
    finding = only_finding(BOM + text.encode("utf-8", "surrogateescape"))
    assert finding == Finding(
        FILE,
        "encoding",
        "not valid UTF-8: byte 0xff cannot be decoded",
        line,
        column,
        hint="save the file as UTF-8",
    )


def test_byte_order_mark_is_accepted() -> None:
    """A UTF-8 byte-order mark is allowed, and lines are still counted from the text."""
    write(FILE, BOM + E1910.encode("utf-8"))
    report, loaded = loader.check([FILE])
    assert report.findings == []
    assert [item.study.id for item in loaded] == ["e1910"]
    text = edited("  allocation: randomized\n", "  allocaton: randomized\n")
    finding = only_finding(BOM + text.encode("utf-8"))
    assert (finding.line, finding.column) == at(text, "allocaton")


@pytest.mark.parametrize(
    ("content", "found"),
    [
        pytest.param("", "nothing (null)", id="empty"),
        pytest.param("# only a comment\n", "nothing (null)", id="comment-only"),
        pytest.param("- id: e1910\n- id: blast\n", "a list", id="top-level-list"),
        pytest.param("e1910\n", "'e1910'", id="top-level-scalar"),
    ],
)
def test_file_must_hold_a_mapping(content: str, found: str) -> None:
    """An evidence file holds one study: a mapping of fields."""
    finding = only_finding(content)
    message = f"expected a mapping of study fields, found {found}"
    hint = "an evidence file holds one study, starting with 'id:'"
    assert finding == Finding(FILE, "schema", message, 1, 1, hint=hint)
    assert str(finding) == f"{FILE}:1:1: {message} ({hint})"


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused_and_never_run(tag: str) -> None:
    """Tags that build Python objects are a YAML finding; the command never runs."""
    text = edited("acronym: E1910\n", f'acronym: {tag} ["touch executed"]\n')
    line, column = at(text, tag)
    finding = only_finding(text)
    assert not Path("executed").exists()
    assert (finding.kind, finding.line, finding.column, finding.path) == ("yaml", line, column, "")
    full_tag = "tag:yaml.org,2002:" + tag.removeprefix("!!")
    message = f"invalid YAML: could not determine a constructor for the tag {full_tag!r}"
    assert finding.message == message
    assert str(finding) == f"{FILE}:{line}:{column}: {message}"


# --- Schema findings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "token", "path", "message"),
    [
        pytest.param(
            "lower: 0.23,",
            "lower: abc,",
            "abc",
            "outcomes[0].comparison.ci.lower",
            "expected a number or 'not estimable', found 'abc'",
            id="limit",
        ),
        pytest.param(
            "drugs: [blinatumomab]",
            "drugs: blinatumomab",
            "blinatumomab",
            "drugs",
            "expected a list, found 'blinatumomab'",
            id="list",
        ),
        pytest.param(
            "  et_al: true",
            "  et_al: maybe",
            "maybe",
            "citation.et_al",
            "expected true or false, found 'maybe'",
            id="boolean",
        ),
        pytest.param(
            "      n: 488",
            "      n: 48.8",
            "48.8",
            "design.enrollment[0].n",
            "expected a whole number, found 48.8",
            id="whole-number",
        ),
        pytest.param(
            "      n: 488",
            "      n: -5",
            "-5",
            "design.enrollment[0].n",
            "expected a whole number ≥ 0, found -5",
            id="negative-count",
        ),
        pytest.param(
            "        percent: 85\n",
            "        percent: 850\n",
            "850",
            "outcomes[0].results[0].percent",
            "expected a number ≤ 100, found 850",
            id="percent",
        ),
        # A p-value in quotes has a hint: tests/test_messages.py.
        pytest.param(
            "id: e1910\n",
            "id: ../../x\n",
            "../../x",
            "id",
            "expected an id of lower-case letters, digits and hyphens, starting with a letter "
            "or digit, found '../../x'",
            id="slug",
        ),
    ],
)
def test_wrong_type(old: str, new: str, token: str, path: str, message: str) -> None:
    """A value of the wrong kind names the field, what it accepts and what was found."""
    text = edited(old, new)
    line, column = at(text, new, new.index(token))
    finding = only_finding(text)
    assert finding == Finding(FILE, "schema", message, line, column, path=path)
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message}"


@pytest.mark.parametrize(
    ("old", "new", "key", "path", "fields", "hint"),
    [
        pytest.param(
            "  allocation: randomized\n",
            "  allocaton: randomized\n",
            "allocaton",
            "design.allocaton",
            "phase, allocation, masking, arms, endpoints, enrollment, allocation_ratio, follow_up, "
            "cite",
            "did you mean 'allocation'?",
            id="design",
        ),
        pytest.param(
            "        percent: 85\n",
            "        percentage: 85\n",
            "percentage",
            "outcomes[0].results[0].percentage",
            "group, note, unconfirmed, cite, percent, method, ci",
            "did you mean 'percent'?",
            id="tagged-result",
        ),
        pytest.param(
            "drugs: [blinatumomab]\n",
            "drugs: [blinatumomab]\nsponsor: ECOG-ACRIN\n",
            "sponsor",
            "sponsor",
            "id, acronym, title, drugs, condition, citation, registrations, status, sources, "
            "design, population, dosing, outcomes, headline, safety, claims, notes",
            None,
            id="top-level-no-close-match",
        ),
    ],
)
def test_unknown_key(
    old: str, new: str, key: str, path: str, fields: str, hint: str | None
) -> None:
    """An unknown key is shown at the key, with the keys allowed there and a close match."""
    text = edited(old, new)
    line, column = at(text, key + ":")
    finding = only_finding(text)
    message = f"unknown key; expected one of: {fields}"
    assert finding == Finding(FILE, "schema", message, line, column, path=path, hint=hint)
    suffix = f" ({hint})" if hint else ""
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message}{suffix}"


@pytest.mark.parametrize(
    ("old", "anchor", "path", "key"),
    [
        pytest.param("  allocation: randomized\n", "phase: 3", "design", "allocation", id="design"),
        pytest.param(
            "        percent: 85\n",
            "measure: rate\n        group: blinatumomab\n        cite: &os",
            "outcomes[0].results[0]",
            "percent",
            id="tagged-result",
        ),
    ],
)
def test_missing_required_key(old: str, anchor: str, path: str, key: str) -> None:
    """A missing key is reported at the mapping that lacks it."""
    text = edited(old, "")
    line, column = at(text, anchor)
    finding = only_finding(text)
    message = f"missing required key {key!r}"
    assert finding == Finding(FILE, "schema", message, line, column, path=path)
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message}"


@pytest.mark.parametrize(
    ("old", "new", "value", "path", "allowed", "hint"),
    [
        pytest.param(
            "  allocation: randomized\n",
            "  allocation: randomised\n",
            "'randomised'",
            "design.allocation",
            "'non-randomized', 'randomized', 'single-arm'",
            "did you mean 'randomized'?",
            id="allocation",
        ),
        pytest.param(
            "    kind: secondary-summary\n",
            "    kind: secondary-sumary\n",
            "'secondary-sumary'",
            "sources[0].kind",
            "'conference-abstract', 'fact-sheet', 'full-text', 'journal-abstract', "
            "'registry-record', 'secondary-summary'",
            "did you mean 'secondary-summary'?",
            id="source-kind",
        ),
        pytest.param(
            "      - measure: rate\n        group: blinatumomab\n        percent: 85",
            "      - measure: rates\n        group: blinatumomab\n        percent: 85",
            "'rates'",
            "outcomes[0].results[0].measure",
            "'proportion', 'rate', 'time'",
            "did you mean 'rate'?",
            id="measure-tag",
        ),
        pytest.param(
            "  phase: 3\n",
            "  phase: 5\n",
            "5",
            "design.phase",
            "0, 1, 2, 3, 4, '1/2', '2/3'",
            None,
            id="phase",
        ),
    ],
)
def test_invalid_vocabulary_value(
    old: str, new: str, value: str, path: str, allowed: str, hint: str | None
) -> None:
    """A value outside a vocabulary lists the allowed values and suggests the closest."""
    text = edited(old, new)
    line, column = at(text, new, new.index(value.strip("'")))
    finding = only_finding(text)
    message = f"expected one of {allowed}, found {value}"
    assert finding == Finding(FILE, "schema", message, line, column, path=path, hint=hint)
    suffix = f" ({hint})" if hint else ""
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message}{suffix}"


def test_exponent_notation_is_text_in_yaml() -> None:
    """YAML reads 1e-4 as text; the hint says so and gives the decimal to write."""
    text = edited("threshold: 0.0001", "threshold: 1e-4")
    line, column = at(text, "1e-4")
    finding = only_finding(text)
    path = "population.mrd.threshold"
    message = "expected a number, found '1e-4'"
    hint = "YAML reads 1e-4 as text; write it as a decimal such as 0.0001"
    assert finding == Finding(FILE, "schema", message, line, column, path=path, hint=hint)
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message} ({hint})"


def test_number_with_unit_in_quotes() -> None:
    """A number written as text with a unit gets a hint to write the bare number."""
    text = edited("        percent: 85\n", '        percent: "85%"\n')
    line, column = at(text, '"85%"')
    finding = only_finding(text)
    assert finding == Finding(
        FILE,
        "schema",
        "expected a number, found '85%'",
        line,
        column,
        path="outcomes[0].results[0].percent",
        hint="write the number without quotes or units",
    )


@pytest.mark.parametrize(
    ("old", "new", "found", "path", "hint"),
    [
        pytest.param(
            '  date: "2024-07-25"',
            "  date: 2024-07-25",
            "2024-07-25",
            "citation.date",
            'dates are text here: write "2024-07-25" in quotes',
            id="unquoted-date",
        ),
        pytest.param(
            '  volume: "391"',
            "  volume: 391",
            "391",
            "citation.volume",
            'put it in quotes: "391"',
            id="unquoted-number",
        ),
    ],
)
def test_unquoted_value_in_text_field(old: str, new: str, found: str, path: str, hint: str) -> None:
    """YAML turns unquoted dates and numbers into non-text; the hint says to quote them."""
    text = edited(old, new)
    line, column = at(text, new, new.index(found))
    finding = only_finding(text)
    message = f"expected text, found {found}"
    assert finding == Finding(FILE, "schema", message, line, column, path=path, hint=hint)
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message} ({hint})"


@pytest.mark.parametrize(
    ("old", "new", "key", "path"),
    [
        pytest.param(
            "      infusion: {value: 28, unit: days}\n",
            "      infusion: {value: 28, unit: days}\n      off: {value: 14, unit: days}\n",
            "off: {value: 14",
            "dosing[0].schedule",
            id="nested",
        ),
        pytest.param(
            "    text: Neither source states limitations of the trial.\n",
            "    text: Neither source states limitations of the trial.\noff: true\n",
            "off: true",
            "",
            id="top-level",
        ),
    ],
)
def test_boolean_key(old: str, new: str, key: str, path: str) -> None:
    """YAML reads `off:` as the boolean false; the finding points at that key."""
    text = edited(old, new)
    line, column = at(text, key)
    finding = only_finding(text)
    message = "keys must be text, found the boolean false"
    hint = "YAML reads yes, no, on, off, true and false as booleans; quote the key"
    assert finding == Finding(FILE, "schema", message, line, column, path=path, hint=hint)
    where = f"{path}: " if path else ""
    assert str(finding) == f"{FILE}:{line}:{column}: {where}{message} ({hint})"


def test_rule_of_one_object_points_at_the_object() -> None:
    """A rule on a whole object (CI limits in order) is reported at that object."""
    text = edited("lower: 0.23, upper: 0.73", "lower: 0.93, upper: 0.73")
    line, column = at(text, "{level: 95, lower: 0.93")
    finding = only_finding(text)
    path = "outcomes[0].comparison.ci"
    message = "lower limit 0.93 exceeds upper limit 0.73"
    assert finding == Finding(FILE, "schema", message, line, column, path=path)
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message}"


# --- Placeholders ---------------------------------------------------------------------------


def test_placeholder_in_a_number_field_is_named_as_unfilled() -> None:
    """A ``TODO`` text is reported as a placeholder at its value, whatever the field's type."""
    text = edited("  year: 2024\n", '  year: "TODO: the year of publication"\n')
    line, column = at(text, '"TODO')
    hint = "replace it with the value from the source, or remove the field"
    message = "unfilled placeholder: TODO: the year of publication"
    assert only_finding(text) == Finding(
        FILE, "placeholder", message, line, column, path="citation.year", hint=hint
    )


def test_every_placeholder_is_reported_and_todo_inside_a_text_is_not_one() -> None:
    """All placeholders in a file are listed; TODO in the middle of a text is ordinary text."""
    text = edited("  year: 2024\n", "  year: TODO\n")
    text = edited('  volume: "391"\n', "  volume: '  TODO volume'\n", text)
    report, loaded = loader.check([write(FILE, text)])
    assert loaded == []
    assert [(f.kind, f.path, f.line) for f in report.findings] == [
        ("placeholder", "citation.year", at(text, "TODO\n")[0]),
        ("placeholder", "citation.volume", at(text, "TODO volume")[0]),
    ]
    ordinary = edited("acronym: E1910\n", "acronym: E1910 TODO\n")
    report, loaded = loader.check([write(FILE, ordinary)])
    assert report.findings == [] and len(loaded) == 1


# --- Reference and duplicate-id findings ------------------------------------------------------


def test_reference_to_missing_arm() -> None:
    """A regimen naming an arm that does not exist is a reference finding at that name."""
    text = edited("  - arm: chemotherapy\n    drug:", "  - arm: placebo\n    drug:")
    line, column = at(text, "placebo")
    finding = only_finding(text)
    path = "dosing[1].arm"
    message = "no arm 'placebo'; arms are 'blinatumomab', 'chemotherapy'"
    assert finding == Finding(FILE, "reference", message, line, column, path=path)
    assert str(finding) == f"{FILE}:{line}:{column}: {path}: {message}"


def test_reference_problems_are_all_reported() -> None:
    """Every broken reference in a file is a finding of its own."""
    text = edited("  - arm: chemotherapy\n    drug:", "  - arm: placebo\n    drug:")
    text = edited(
        "  - kind: key-point\n    source: memo", "  - kind: key-point\n    source: paper", text
    )
    report, loaded = loader.check([write(FILE, text)])
    assert loaded == []
    assert [(f.kind, f.path, f.line) for f in report.findings] == [
        ("reference", "dosing[1].arm", at(text, "placebo")[0]),
        ("reference", "claims[0].source", at(text, "source: paper")[0]),
    ]


def test_same_study_id_in_two_files() -> None:
    """The second file with an id already in use is a duplicate-id finding naming the first."""
    write("a.yaml", E1910)
    write("b.yaml", edited("acronym: E1910\n", "acronym: E1910-COPY\n"))
    report, loaded = loader.check(["a.yaml", "b.yaml"])
    line, column = at(E1910, "e1910\n")
    message = "study id 'e1910' is already used by a.yaml"
    hint = "each study needs its own id"
    assert report.findings == [
        Finding("b.yaml", "duplicate-id", message, line, column, path="id", hint=hint)
    ]
    assert str(report.findings[0]) == f"b.yaml:{line}:{column}: id: {message} ({hint})"
    assert [item.file for item in loaded] == ["a.yaml"]
    assert report.studies == ["e1910"]


# --- load() and Evidence.find ------------------------------------------------------------------


def test_load_raises_evidence_error_with_the_report() -> None:
    """load() refuses invalid evidence; the error carries every finding."""
    write("bad.yaml", edited("  phase: 3\n", "  phase: 3\n  phase: 2\n"))
    with pytest.raises(EvidenceError) as info:
        loader.load(["bad.yaml"])
    report = info.value.report
    assert [(f.file, f.kind) for f in report.findings] == [("bad.yaml", "yaml")]
    assert str(info.value) == "the evidence has 1 problem in 1 of 1 file"


@pytest.mark.parametrize("query", ["e1910", "E1910", " e1910 ", "BLAST", "blast", "Blast"])
def test_find_by_id_or_acronym_ignoring_case(query: str) -> None:
    """find() matches the id or the acronym, ignoring case and surrounding space."""
    study = loader.load().find(query)
    assert study.id == query.strip().casefold()


def test_find_by_acronym_that_differs_from_id() -> None:
    """The acronym alone is enough, in any case."""
    write("ecog.yaml", study_id("ecog-acrin-e1910"))
    evidence = loader.load(["ecog.yaml"])
    assert evidence.find("e1910").id == "ecog-acrin-e1910"
    assert evidence.file_of(evidence.find("E1910")) == "ecog.yaml"


@pytest.mark.parametrize(
    ("query", "suggestions"),
    [("e191", ["e1910"]), ("E19100", ["e1910"]), ("blas", ["blast"]), ("BLAZT", ["blast"])],
)
def test_find_unknown_study_suggests_close_ids(query: str, suggestions: list[str]) -> None:
    """An unknown query raises StudyNotFound with the close ids as suggestions."""
    with pytest.raises(StudyNotFound) as info:
        loader.load().find(query)
    assert info.value.suggestions == suggestions
    assert info.value.known == ["blast", "e1910"]
    assert str(info.value) == f"no study {query!r}; did you mean {suggestions[0]!r}?"


def test_find_unknown_study_without_close_match_lists_studies() -> None:
    """With nothing close, the message lists the studies in use."""
    with pytest.raises(StudyNotFound) as info:
        loader.load().find("zzz")
    assert info.value.suggestions == []
    assert str(info.value) == "no study 'zzz'; studies in use: blast, e1910"


def test_find_suggests_the_id_of_a_close_acronym() -> None:
    """A query close to an acronym suggests that study's id, the name to use."""
    write("ecog.yaml", study_id("ecog-acrin-e1910"))
    with pytest.raises(StudyNotFound) as info:
        loader.load(["ecog.yaml"]).find("e191")
    assert info.value.suggestions == ["ecog-acrin-e1910"]


def test_find_in_empty_evidence() -> None:
    """With no studies at all, the message says so instead of suggesting anything."""
    with pytest.raises(StudyNotFound) as info:
        loader.Evidence([]).find("e1910")
    assert str(info.value) == "no study 'e1910'; the evidence in use has no studies"

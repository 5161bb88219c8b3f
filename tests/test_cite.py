"""`blinacli cite`: BibTeX, RIS and CSL-JSON from the evidence files' citation data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.interop import citations
from blinacli.load import loader
from blinacli.model import Study

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
EVERYTHING = ["-e", str(evidence_dir()), "-e", str(SYNTHETIC)]

# The part of the CSL-JSON schema (citation-style-language/schema, csl-data.json)
# that covers the variables blinacli writes; unknown variables are refused, as there.
NAME = {
    "type": "object",
    "properties": {
        "family": {"type": "string"},
        "given": {"type": "string"},
        "literal": {"type": "string"},
    },
    "additionalProperties": False,
}
CSL_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": ["string", "number"]},
            "type": {"enum": ["article-journal"]},
            "title": {"type": "string"},
            "container-title": {"type": "string"},
            "author": {"type": "array", "items": NAME},
            "issued": {
                "type": "object",
                "properties": {
                    "date-parts": {
                        "type": "array",
                        "items": {
                            "type": "array",
                            "items": {"type": ["string", "number"]},
                            "minItems": 1,
                            "maxItems": 3,
                        },
                        "minItems": 1,
                        "maxItems": 2,
                    }
                },
                "additionalProperties": False,
            },
            "volume": {"type": ["string", "number"]},
            "issue": {"type": ["string", "number"]},
            "page": {"type": ["string", "number"]},
            "DOI": {"type": "string"},
            "PMID": {"type": "string"},
            "PMCID": {"type": "string"},
            "note": {"type": "string"},
        },
        "required": ["type", "id"],
        "additionalProperties": False,
    },
}

SPECIAL = """\
id: syn-special
acronym: SYN-SPECIAL
title: Synthetic study with special characters
drugs: [examplumab]
condition: a synthetic condition
citation:
  authors: [Ödegård-Smith Ø, ECOG-ACRIN Synthetic Study Group, "Doe, Jane"]
  title: "Cost {50%} & #1 of $x_y ~ ^z \\\\ in B-cell ALL: a naïve test"
  journal: Journal of Tests & Fixtures
  year: 2019
  date: "2019-11"
  pages: e12
  doi: 10.1000/syn_special{1}
  erratum: J Tests Fixtures 2(1):3
  cite: [{source: syn, quote: Synthetic}]
registrations:
  - registry: Synthetic Registry
    id: SYN_0002
    secondary_ids: [SYN-A, SYN-B]
    cite: [{source: syn, quote: Synthetic}]
sources:
  - {id: syn, kind: full-text, citation: A synthetic test fixture}
design:
  phase: 1
  allocation: single-arm
  arms: [{id: examplumab, label: Examplumab, role: experimental, cite: [{source: syn, quote: S}]}]
  cite: [{source: syn, quote: Synthetic}]
population:
  disease: a synthetic disease
  philadelphia: {status: not-reported}
  cite: [{source: syn, quote: Synthetic}]
"""


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def raw_stdout(result: Any) -> str:
    """stdout as written: the runner's ``stdout`` turns CRLF into LF."""
    text: str = result.stdout_bytes.decode("utf-8")
    return text


def all_studies() -> list[Study]:
    return loader.load([evidence_dir(), SYNTHETIC]).studies


def bundled(study_id: str) -> Study:
    return loader.load().find(study_id)


def special_file(tmp_path: Path) -> Path:
    path = tmp_path / "special.yaml"
    path.write_text(SPECIAL, encoding="utf-8")
    return path


# --- A small BibTeX reader: enough to check the structure blinacli writes -------------


def brace_value(text: str, start: int) -> tuple[str, int]:
    """The text inside the brace group opening at ``start`` and the index after it,
    counting braces as BibTeX does (a backslash does not protect a brace)."""
    assert text[start] == "{"
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    raise AssertionError(f"unbalanced braces from {start}")


def parse_bibtex(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(entry type, key, fields) of every entry; fails on anything malformed."""
    entries = []
    position = 0
    while True:
        match = re.compile(r"\s*@(\w+)\{([^,\s{}]+),\n").match(text, position)
        if match is None:
            assert text[position:].strip() == "", f"unparsed text: {text[position:]!r}"
            return entries
        kind, key = match.groups()
        body, position = brace_value(text, match.end(0) - len(key) - 3)
        fields: dict[str, str] = {}
        lines = body.split("\n")
        assert lines[0] == f"{key}," and lines[-1] == "", f"{key}: malformed entry"
        for number, line in enumerate(lines[1:-1], start=2):
            comma = "," if number < len(lines) - 1 else ""  # none after the last field
            field = re.fullmatch(rf"  (\w+) = (\{{.*\}}|[a-z]{{3}}){comma}", line)
            assert field is not None, f"malformed field line: {line!r}"
            name, value = field.groups()
            assert name not in fields, f"{key}: {name} twice"
            if value.startswith("{"):
                inner, end = brace_value(value, 0)
                assert end == len(value), f"{key}.{name}: braces close early"
                value = inner
            fields[name] = value
        entries.append((kind, key, fields))


def bibtex_of(runner: CliRunner, *args: str) -> list[tuple[str, str, dict[str, str]]]:
    result = run(runner, "cite", *args)
    assert result.exit_code == 0, result.stderr
    return parse_bibtex(result.stdout)


# --- BibTeX ------------------------------------------------------------------------------


def test_bibtex_of_e1910_carries_its_identifiers(runner: CliRunner) -> None:
    """The default format is BibTeX; DOI, PMID, PMCID and the registry id are there."""
    study = bundled("e1910")
    [(kind, key, fields)] = bibtex_of(runner, "e1910")
    assert (kind, key) == ("article", "litzow2024-e1910")
    assert fields["doi"] == "10.1056/NEJMoa2312948" == study.citation.doi
    assert fields["pmid"] == study.citation.pmid == "39047240"
    assert fields["pmcid"] == study.citation.pmcid
    assert fields["journal"] == study.citation.journal
    assert fields["year"] == str(study.citation.year)
    assert fields["month"] == "jul"
    assert (fields["volume"], fields["number"]) == (study.citation.volume, study.citation.issue)
    assert fields["pages"] == "320--333"
    assert fields["author"] == "Litzow, M. R. and others"
    assert fields["note"] == "ClinicalTrials.gov: NCT02003222 (secondary ID: ECOG-E1910)"
    assert fields["title"] == (
        "Blinatumomab for {MRD-Negative} Acute Lymphoblastic Leukemia in Adults"
    )


def test_bibtex_of_blast_keeps_names_and_notes_the_erratum(runner: CliRunner) -> None:
    """Every author in order, accents kept as UTF-8; the erratum in the note; no PMID,
    since the file has none; acronyms in the title braced."""
    study = bundled("blast")
    [(_, key, fields)] = bibtex_of(runner, "BLAST")
    assert key == "gokbuget2018-blast"
    names = fields["author"].split(" and ")
    assert len(names) == len(study.citation.authors)
    assert names[0] == "Gökbuget, N." and names[8] == "Brüggemann, M."
    assert "others" not in names
    assert "pmid" not in fields and "pmcid" not in fields and "month" not in fields
    assert fields["note"] == "ClinicalTrials.gov: NCT01207388; Erratum: Blood 133(24):2625"
    assert "{B-cell}" in fields["title"]
    assert fields["pages"] == "1522"


def test_bibtex_escapes_what_latex_would_read(runner: CliRunner, tmp_path: Path) -> None:
    """Braces, %, &, #, $, _, ~, ^ and backslashes are escaped; braces stay balanced
    (the reader above counts them as BibTeX does); a group author stays whole."""
    [(_, key, fields)] = bibtex_of(runner, "syn-special", "-e", str(special_file(tmp_path)))
    assert key == "odegardsmith2019-syn-special"
    assert fields["title"] == (
        r"Cost \textbraceleft{}50\%\textbraceright{} \& \#1 of \$x\_y \textasciitilde{} "
        r"\textasciicircum{}z \textbackslash{} in {B-cell} {ALL:} a naïve test"
    )
    assert fields["journal"] == r"Journal of Tests \& Fixtures"
    assert fields["author"] == (
        "Ödegård-Smith, Ø. and {ECOG-ACRIN Synthetic Study Group} and Doe, Jane"
    )
    assert fields["month"] == "nov"
    assert fields["pages"] == "e12"
    assert fields["doi"] == "10.1000/syn_special%7B1%7D"
    assert fields["note"] == (
        r"Synthetic Registry: SYN\_0002 (secondary IDs: SYN-A, SYN-B); "
        "Erratum: J Tests Fixtures 2(1):3"
    )


def test_bibtex_keys_are_unique_across_every_study(runner: CliRunner) -> None:
    studies = all_studies()
    entries = bibtex_of(runner, *[s.id for s in studies], *EVERYTHING)
    keys = [key for _, key, _ in entries]
    assert len(entries) == len(studies) >= 6
    assert len(set(keys)) == len(keys)
    for (_, key, _), study in zip(entries, studies, strict=True):
        assert key.endswith(f"-{study.id}") and str(study.citation.year) in key


def test_bibtex_keys_are_stable_and_do_not_depend_on_order(runner: CliRunner) -> None:
    """The same key on every run, whatever else is cited and in whichever order."""
    ids = [s.id for s in all_studies()]
    forward = run(runner, "cite", *ids, *EVERYTHING).stdout
    assert run(runner, "cite", *ids, *EVERYTHING).stdout == forward
    backward = parse_bibtex(run(runner, "cite", *reversed(ids), *EVERYTHING).stdout)
    assert [key for _, key, _ in backward] == [key for _, key, _ in parse_bibtex(forward)][::-1]
    for study_id in ids:
        [(_, alone, _)] = bibtex_of(runner, study_id, *EVERYTHING)
        assert any(key == alone for _, key, _ in backward)


def test_a_study_named_twice_is_cited_once(runner: CliRunner) -> None:
    entries = bibtex_of(runner, "e1910", "blast", "E1910")
    assert [key for _, key, _ in entries] == ["litzow2024-e1910", "gokbuget2018-blast"]


# --- RIS -----------------------------------------------------------------------------------

RIS_LINE = re.compile(r"([A-Z][A-Z0-9])  - (.*)")


def ris_records(text: str) -> list[list[tuple[str, str]]]:
    """Records of (tag, value); every line CRLF-ended and in the tag format."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    records: list[list[tuple[str, str]]] = []
    for line in text.split("\r\n")[:-1]:
        match = RIS_LINE.fullmatch(line)
        assert match is not None, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            records.append([])
        records[-1].append((tag, value))
    return records


def test_ris_has_one_ty_to_er_record_per_study(runner: CliRunner) -> None:
    studies = all_studies()
    result = run(runner, "cite", "--format", "ris", *[s.id for s in studies], *EVERYTHING)
    assert result.exit_code == 0
    text = raw_stdout(result)
    records = ris_records(text)
    assert len(records) == len(studies)
    for record, study in zip(records, studies, strict=True):
        tags = [tag for tag, _ in record]
        assert record[0] == ("TY", "JOUR")
        assert record[-1] == ("ER", "")
        assert tags.count("TY") == 1 and tags.count("ER") == 1
        assert {"AU", "TI", "T2", "PY"} <= set(tags)
        values = dict(record)
        assert values["TI"] == " ".join(study.citation.title.split())
        assert values["PY"] == str(study.citation.year)
        assert tags.count("AU") == len(study.citation.authors)
    assert text.count("ER  - \r\n") == len(studies)


def test_ris_of_e1910_has_every_identifier(runner: CliRunner) -> None:
    study = bundled("e1910")
    [record] = ris_records(raw_stdout(run(runner, "cite", "e1910", "-f", "ris")))
    values = dict(record)
    assert values["DO"] == study.citation.doi
    assert values["AN"] == study.citation.pmid
    assert values["C2"] == study.citation.pmcid
    assert (values["VL"], values["IS"]) == ("391", "4")
    assert (values["SP"], values["EP"]) == ("320", "333")
    assert values["DA"] == "2024/07/25/"
    assert values["T2"] == values["JO"] == "N Engl J Med"
    notes = [value for tag, value in record if tag == "N1"]
    assert notes == [
        "ClinicalTrials.gov: NCT02003222 (secondary ID: ECOG-E1910)",
        citations.ET_AL_NOTE,
    ]


def test_ris_leaves_out_what_the_file_lacks(runner: CliRunner) -> None:
    """BLAST has no PMID, PMCID or date; it gets no AN, C2 or DA, and no end page."""
    [record] = ris_records(raw_stdout(run(runner, "cite", "blast", "-f", "ris")))
    tags = {tag for tag, _ in record}
    assert not tags & {"AN", "C2", "DA", "EP"}
    assert dict(record)["SP"] == "1522"
    assert ("N1", "Erratum: Blood 133(24):2625") in record


# --- CSL-JSON ------------------------------------------------------------------------------


def written_name(author: dict[str, str], original: str) -> str:
    """The author back in the evidence file's form, from a CSL name."""
    if "literal" in author:
        return author["literal"]
    if re.fullmatch(r"(?:\w\. )*\w\.", author["given"]) and "," not in original:
        return f"{author['family']} {author['given'].replace('.', '').replace(' ', '')}"
    return f"{author['family']}, {author['given']}"


def check_round_trip(item: dict[str, Any], study: Study) -> None:
    """Every variable of the item against the study's citation data, both ways."""
    citation = study.citation
    assert item["id"] == citations.citation_key(study)
    assert item["type"] == "article-journal"
    assert item["title"] == citation.title
    assert item["container-title"] == citation.journal
    authors = item["author"]
    if citation.et_al:
        # an incomplete list ends with the "others" name, and only then
        assert authors[-1] == {"literal": "others"}
        authors = authors[:-1]
    assert {"literal": "others"} not in authors
    names = [written_name(a, o) for a, o in zip(authors, citation.authors, strict=True)]
    assert names == citation.authors
    date = [citation.year]
    if citation.date is not None:
        date = [int(part) for part in citation.date.split("-")]
    assert item["issued"] == {"date-parts": [date]}
    for variable, value in (
        ("volume", citation.volume),
        ("issue", citation.issue),
        ("page", citation.pages),
        ("DOI", citation.doi),
        ("PMID", citation.pmid),
        ("PMCID", citation.pmcid),
    ):
        assert item.get(variable) == value, variable
        assert (variable in item) == (value is not None), variable
    notes = item["note"].split("\n") if "note" in item else []
    expected = [citations.registration_text(r) for r in study.registrations]
    if citation.erratum is not None:
        expected.append(f"Erratum: {citation.erratum}")
    if citation.et_al:
        expected.append(citations.ET_AL_NOTE)
    assert notes == expected
    for registration in study.registrations:
        assert registration.id in item["note"]
    known = {"id", "type", "title", "container-title", "author", "issued", "note"}
    assert set(item) - known <= {"volume", "issue", "page", "DOI", "PMID", "PMCID"}


def test_csl_json_round_trips_every_study(runner: CliRunner) -> None:
    studies = all_studies()
    result = run(runner, "cite", "-f", "csl-json", *[s.id for s in studies], *EVERYTHING)
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    jsonschema.validate(items, CSL_SCHEMA)
    assert len(items) == len(studies)
    for item, study in zip(items, studies, strict=True):
        check_round_trip(item, study)


def test_csl_json_of_e1910(runner: CliRunner) -> None:
    [item] = json.loads(run(runner, "cite", "e1910", "--format", "CSL-JSON").stdout)
    # E1910's file names one author and says the list is incomplete (et_al: true)
    assert item["author"] == [{"family": "Litzow", "given": "M. R."}, {"literal": "others"}]
    assert item["DOI"] == "10.1056/NEJMoa2312948"
    assert item["issued"] == {"date-parts": [[2024, 7, 25]]}


def test_csl_json_keeps_special_characters_and_group_authors(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = special_file(tmp_path)
    result = run(runner, "cite", "syn-special", "-f", "csl-json", "-e", str(path))
    [item] = json.loads(result.stdout)
    jsonschema.validate([item], CSL_SCHEMA)
    check_round_trip(item, loader.load([path]).find("syn-special"))
    assert item["author"][1] == {"literal": "ECOG-ACRIN Synthetic Study Group"}
    assert item["author"][2] == {"family": "Doe", "given": "Jane"}
    assert "naïve" in result.stdout  # UTF-8, not \u escapes


# --- Names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "family", "given", "literal"),
    [
        ("Litzow MR", "Litzow", "M. R.", None),
        ("Gökbuget N", "Gökbuget", "N.", None),
        ("van der Berg JA", "van der Berg", "J. A.", None),
        ("Doe, Jane", "Doe", "Jane", None),
        ("ECOG-ACRIN Cancer Research Group", None, None, "ECOG-ACRIN Cancer Research Group"),
        ("Plato", None, None, "Plato"),
        ("Smith J Jr", None, None, "Smith J Jr"),
        ("Smith ABCDE", None, None, "Smith ABCDE"),
        ("Doe, Jane, Jr", None, None, "Doe, Jane, Jr"),
        ("Bread and Butter J", None, None, "Bread and Butter J"),
    ],
)
def test_names_are_split_only_where_the_form_is_clear(
    written: str, family: str | None, given: str | None, literal: str | None
) -> None:
    assert citations.parse_author(written) == citations.AuthorName(family, given, literal)


@pytest.mark.parametrize(
    ("first_author", "key"),
    [
        ("Gökbuget N", "gokbuget2019-syn-key"),
        ("Ødegård Ø", "odegard2019-syn-key"),
        ("Łukasiewicz J", "lukasiewicz2019-syn-key"),
        ("Straße K", "strasse2019-syn-key"),
        ("ECOG-ACRIN Cancer Research Group", "ecogacrin2019-syn-key"),
        ("王 X", "2019-syn-key"),
    ],
)
def test_keys_fold_the_surname_to_ascii_letters(
    tmp_path: Path, first_author: str, key: str
) -> None:
    text = SPECIAL.replace("id: syn-special", "id: syn-key").replace(
        "[Ödegård-Smith Ø,", f"[{json.dumps(first_author, ensure_ascii=False)},"
    )
    path = tmp_path / "key.yaml"
    path.write_text(text, encoding="utf-8")
    assert citations.citation_key(loader.load([path]).find("syn-key")) == key


# --- Errors and output -------------------------------------------------------------------


def test_an_unknown_id_exits_1_with_a_suggestion(runner: CliRunner) -> None:
    result = run(runner, "cite", "e1910", "e19")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: no study 'e19'; did you mean 'e1910'?\n"


def test_an_unknown_format_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "cite", "e1910", "--format", "endnote")
    assert result.exit_code == 2
    assert "endnote" in result.stderr


def test_no_id_is_a_usage_error(runner: CliRunner) -> None:
    result = run(runner, "cite")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


@pytest.mark.parametrize("fmt", citations.FORMATS)
def test_output_file_holds_exactly_what_stdout_would(
    runner: CliRunner, tmp_path: Path, fmt: str
) -> None:
    """-o writes the same bytes (CRLF kept for RIS), replacing an existing file with --force."""
    target = tmp_path / "refs.txt"
    target.write_text("old\n", encoding="utf-8")
    shown = run(runner, "cite", "blast", "e1910", "-f", fmt).stdout_bytes
    result = run(runner, "cite", "blast", "e1910", "-f", fmt, "-o", str(target), "--force")
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_bytes() == shown
    assert (b"\r\n" in target.read_bytes()) == (fmt == "ris")


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(citations.UsageError, match="unknown citation format 'xml'"):
        citations.render([bundled("e1910")], "xml")

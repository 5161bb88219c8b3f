"""`blinacli cite` read back by the parsers reference-manager tooling uses.

bibtexparser (v2) and rispy read the whole output for every bundled and synthetic
study; what they read must be the evidence file's citation, field for field.
The structure checks of each format are in tests/test_cite.py.
"""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import rispy
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.cli.app import app
from blinacli.load import loader

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"
STUDIES = loader.load([evidence_dir(), SYNTHETIC]).studies
EVIDENCE = ["-e", str(evidence_dir()), "-e", str(SYNTHETIC)]


def cite(runner: CliRunner, style: str) -> bytes:
    ids = [study.id for study in STUDIES]
    result = runner.invoke(app, ["cite", *ids, "--format", style, *EVIDENCE])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_bibtexparser_reads_every_entry_as_written(runner: CliRunner) -> None:
    library = bibtexparser.parse_string(cite(runner, "bibtex").decode("utf-8"))
    assert library.failed_blocks == []
    assert len(library.entries) == len(STUDIES)
    for entry, study in zip(library.entries, STUDIES, strict=True):
        citation = study.citation
        fields = {name: field.value for name, field in entry.fields_dict.items()}
        assert entry.entry_type == "article"
        assert entry.key.endswith(f"{citation.year}-{study.id}")
        assert fields["title"].replace("{", "").replace("}", "") == citation.title
        assert fields["journal"] == citation.journal
        assert fields["year"] == str(citation.year)
        assert fields.get("doi") == citation.doi
        assert fields.get("pmid") == citation.pmid
        authors = fields["author"].split(" and ")
        expected = len(citation.authors) + (1 if citation.et_al else 0)
        assert len(authors) == expected
        for registration in study.registrations:
            assert registration.id in fields["note"]


def test_rispy_reads_every_record_as_written(runner: CliRunner) -> None:
    records = rispy.loads(cite(runner, "ris").decode("utf-8"))
    assert len(records) == len(STUDIES)
    for record, study in zip(records, STUDIES, strict=True):
        citation = study.citation
        assert record["type_of_reference"] == "JOUR"
        assert record["title"] == citation.title
        assert record["journal_name"] == citation.journal
        assert record["year"] == str(citation.year)
        assert record.get("doi") == citation.doi
        assert record.get("accession_number") == citation.pmid
        assert len(record["authors"]) == len(citation.authors)
        notes = "\n".join(record.get("notes", []))
        for registration in study.registrations:
            assert registration.id in notes

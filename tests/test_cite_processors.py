"""cite's CSL-JSON rendered by real CSL processors, as a writer's tools would print it.

E1910's evidence names one author and says the list is incomplete (``et_al: true``);
BLAST's names all eighteen. A reference must show the first as incomplete and the
second in full. Two processors read the same output of ``blinacli cite``:

- pandoc's citeproc (from ``pypandoc-binary``), which prints the last name
  ``{"literal": "others"}`` as the style's "et al.", the convention of BibTeX's
  ``and others``;
- citeproc-py, which has no such rule and prints it as a name, "others": still not a
  sole-author paper.

The style, ``fixtures/csl/every-author.csl``, lists every author in the bibliography
(et al. only past 99 names), so that any "et al." there comes from the evidence.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pypandoc
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from typer.testing import CliRunner

from blinacli.base.resources import evidence_dir
from blinacli.load import loader
from tests.test_cli import run

STYLE = Path(__file__).parent / "fixtures" / "csl" / "every-author.csl"


def csl_items(runner: CliRunner) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(
        run(runner, "cite", "blast", "e1910", "-f", "csl-json").stdout
    )
    return items


def blast_authors() -> list[str]:
    """BLAST's authors as its evidence file writes them ("Gökbuget N")."""
    return list(loader.load([evidence_dir()]).find("blast").citation.authors)


def citeproc_py_bibliography(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item's bibliography entry from citeproc-py, in plain text, by item id."""
    style = CitationStylesStyle(str(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    # entries come sorted as the style says; match each to its item by title
    return {
        item["id"]: next(entry for entry in entries if item["title"] in entry) for item in items
    }


def pandoc_render(items: list[dict[str, Any]], tmp_path: Path) -> str:
    """A document citing E1910 and listing both references, rendered by pandoc's citeproc
    to plain text on one line per paragraph."""
    bibliography = tmp_path / "refs.json"
    bibliography.write_text(json.dumps(items), encoding="utf-8")
    document = '---\nnocite: "@*"\n---\n\nSee [@litzow2024-e1910].\n'
    result = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--citeproc",
            "--bibliography",
            str(bibliography),
            "--csl",
            str(STYLE),
            "--to",
            "plain",
            "--wrap",
            "none",
        ],
        input=document,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_pandoc_citeproc_prints_et_al_for_e1910_and_every_blast_author(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = pandoc_render(csl_items(runner), tmp_path)
    assert "See (Litzow et al. 2024)." in out
    [e1910] = [line for line in out.splitlines() if "MRD-Negative" in line]
    assert e1910.startswith("Litzow MR et al. Blinatumomab for MRD-Negative")
    [blast] = [line for line in out.splitlines() if "minimal residual disease" in line]
    assert "et al." not in blast
    names = blast.split(". Blinatumomab")[0]
    assert names == ", ".join(name.replace(".", "") for name in blast_authors())


def test_citeproc_py_shows_e1910_incomplete_and_blast_in_full(runner: CliRunner) -> None:
    entries = citeproc_py_bibliography(csl_items(runner))
    e1910 = entries["litzow2024-e1910"]
    assert e1910.startswith("Litzow MR, others. Blinatumomab for MRD-Negative")
    blast = entries["gokbuget2018-blast"]
    assert blast.startswith(", ".join(blast_authors()) + ". Blinatumomab for minimal")
    assert "others" not in blast

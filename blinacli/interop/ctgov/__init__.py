"""Draft an evidence file from a ClinicalTrials.gov study record (API v2 JSON, offline).

``blinacli import ctgov`` turns one study record into a YAML draft of the
evidence model. What the registry holds is imported, each figure with a quote
of the record's own field values under the source ``registry``; what it does
not hold (the publication, the doses, which group of an analysis is the
intervention, a count behind a reported percentage) becomes a ``TODO``
placeholder, which the loader rejects until a person fills it. Nothing is
derived or guessed: a value the model cannot hold as the registry reports it is
left out, and a note in the draft says what and why.

A registry quote is a list of pieces joined by ``" | "``, each copied verbatim
from one field of the record: a text (a measure, group or event title, a unit)
as it stands, a coded or numeric field as ``key: value`` with the record's JSON
key, and a denominator as ``units: count`` (``Participants: 159``). A text too
long for a quote is cut to a leading excerpt at a word boundary, never
reworded.

The modules, in the order the import runs: :mod:`.record` reads and checks the record,
:mod:`.document` assembles the draft from the sections of the record (:mod:`.identity`,
:mod:`.design`, :mod:`.dosing`, :mod:`.results` with :mod:`.analyses`, :mod:`.safety`),
each writing into the :class:`~.context.Context` they share, and :mod:`.yaml_out` writes
the draft's text. :mod:`.values` holds what they all use: the registry's values and the
quotes that cite them. This package's one public name is :func:`import_record`.
"""

from __future__ import annotations

from typing import BinaryIO

from blinacli.interop.ctgov.document import draft
from blinacli.interop.ctgov.record import parse_record, read_record
from blinacli.interop.ctgov.yaml_out import dump, header


def import_record(source: str, stdin: BinaryIO | None = None) -> str:
    """The YAML draft of the study record at ``source`` (a path, or ``-`` for ``stdin``)."""
    raw, name = read_record(source, stdin)
    record = parse_record(raw, name)
    document = draft(record)
    return header(record, document) + "\n" + dump(document)

"""Which study a name on the command line means, and which acronyms make that unclear.

A user names a study by its id or by its acronym, in any case. An exact id always
wins: a study whose acronym is another study's id can never stand in for it. An
acronym that several studies share names none of them; the error lists each one's id
and file. :func:`acronym_findings` reports, for ``validate``, every acronym that is
another study's id or that a study shares with another, at the line of its key.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from blinacli.base.errors import AmbiguousStudy, StudyNotFound
from blinacli.base.findings import Finding
from blinacli.load.messages import line_and_column


class Entry(Protocol):
    """A study's id and acronym and the file it was read from (a loaded study): a
    look-up needs no more, so it reads no study whole."""

    @property
    def id(self) -> str: ...

    @property
    def acronym(self) -> str: ...

    @property
    def file(self) -> str: ...


E = TypeVar("E", bound=Entry)


def _key(name: str) -> str:
    """A name as look-ups compare it: without surrounding space, ignoring case."""
    return name.strip().casefold()


def find(entries: Sequence[E], query: str) -> E:
    """The entry of the study ``query`` names: the one whose id it is, else the only one
    whose acronym it is. Raises :class:`AmbiguousStudy` when several studies answer to it
    equally, :class:`StudyNotFound` (with the closest ids) when none does."""
    wanted = _key(query)
    for name in ("id", "acronym"):  # _key inlined: this runs over every study in use
        matching = [e for e in entries if getattr(e, name).strip().casefold() == wanted]
        if len(matching) == 1:
            return matching[0]
        if matching:
            raise AmbiguousStudy(query.strip(), [(e.id, e.file) for e in matching])
    names = {e.id: e.id for e in entries}
    names.update({_key(e.acronym): e.id for e in entries})
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)
    suggestions = list(dict.fromkeys(names[c] for c in close))
    raise StudyNotFound(query, suggestions, [e.id for e in entries])


def acronym_findings(entries: Sequence[Entry], text_of: Callable[[str], str]) -> list[Finding]:
    """A finding at the ``acronym`` key of each study whose acronym is another study's
    id, and of each study whose acronym an earlier study already has (the first one
    keeps it). ``text_of`` gives a file's text, read only to place a finding."""
    owners = {_key(entry.id): entry for entry in entries}
    first: dict[str, Entry] = {}
    findings: list[Finding] = []
    for entry in entries:
        acronym = entry.acronym
        key = _key(acronym)
        owner = owners.get(key)
        if owner is entry:
            continue  # its own id: a look-up of it finds this study by its id
        if owner is not None:
            message = f"acronym {acronym!r} is the id of another study: {owner.id} ({owner.file})"
            hint = (
                f"a look-up of {acronym.strip()!r} finds that study; give this one its own acronym"
            )
        elif key in first:
            earlier = first[key]
            message = f"acronym {acronym!r} is also the acronym of {earlier.id} ({earlier.file})"
            hint = "a look-up by this acronym cannot tell them apart; give each study its own"
        else:
            first[key] = entry
            continue
        line, column = line_and_column(text_of(entry.file), ("acronym",), key=True)
        findings.append(
            Finding(entry.file, "acronym", message, line, column, path="acronym", hint=hint)
        )
    return findings

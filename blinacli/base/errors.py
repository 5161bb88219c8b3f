"""The library's exceptions. Only the command line turns them into exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blinacli.base.findings import Report


class BlinacliError(Exception):
    """Base of every error a user can cause; the CLI exits 1 on these."""


class UsageError(BlinacliError):
    """The request is malformed (an unknown field or endpoint, a value of the wrong type).

    The CLI exits 2 on these, as for any other usage error.
    """


class TemplateProblem(BlinacliError):
    """A template is missing, malformed, or failed while rendering (names file and line)."""


class EvidenceError(BlinacliError):
    """The evidence in use is invalid; ``report`` holds every finding."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"the evidence has {report.summary()}")


class StudyNotFound(BlinacliError):
    """No study matches the id or acronym asked for."""

    def __init__(self, query: str, suggestions: list[str], known: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        self.known = known
        message = f"no study {query!r}"
        if suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
        elif known:
            message += "; studies in use: " + ", ".join(known)
        else:
            message += "; the evidence in use has no studies"
        super().__init__(message)


class AmbiguousStudy(BlinacliError):
    """An acronym asked for is shared by several studies, none of which has it as its id.

    ``matches`` holds each such study's id and file, in file order.
    """

    def __init__(self, query: str, matches: list[tuple[str, str]]) -> None:
        self.query = query
        self.matches = matches
        named = ", ".join(f"{study_id} ({file})" for study_id, file in matches)
        super().__init__(
            f"{query!r} is the acronym of {len(matches)} studies: {named}; "
            "name the one you mean by its id"
        )

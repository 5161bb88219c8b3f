"""Validation findings as data: what is wrong, where, and what was expected."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from blinacli.base.controls import visible

FindingKind = Literal[
    "file", "encoding", "yaml", "placeholder", "schema", "reference", "duplicate-id", "acronym"
]


class Finding(msgspec.Struct, frozen=True):
    """One problem in one evidence file.

    ``line`` and ``column`` are 1-based; they are None only when the problem has
    no place in the text (a file that cannot be read).
    """

    file: str
    kind: FindingKind
    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    hint: str | None = None

    def location(self) -> str:
        return location(self.file, self.line, self.column)

    def __str__(self) -> str:
        """``file:line:column: path: message (hint)``, as a person reads it: file names,
        keys and values from the file are shown as text (control characters as escapes)."""
        text = self.location() + ": "
        if self.path:
            text += self.path + ": "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return visible(text)

    def to_dict(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    def github_annotation(self) -> str:
        """A GitHub Actions workflow command that annotates the file and line."""
        message = f"{self.path}: {self.message}" if self.path else self.message
        if self.hint:
            message += f" ({self.hint})"
        return github_annotation(
            "error", self.file, self.line, self.column, f"blinacli {self.kind}", message
        )


class Report(msgspec.Struct):
    """The outcome of checking a set of evidence files."""

    files: list[str] = msgspec.field(default_factory=list)
    findings: list[Finding] = msgspec.field(default_factory=list)
    studies: list[str] = msgspec.field(default_factory=list)
    notes: list[str] = msgspec.field(default_factory=list)
    """What was passed over (files that are not YAML, hidden entries), for --verbose."""
    found: int | None = None
    """How many evidence files the paths held; None when not counted."""
    unfollowed: list[str] = msgspec.field(default_factory=list)
    """The symbolic links inside evidence folders that were not followed."""

    @property
    def valid(self) -> bool:
        return not self.findings

    def invalid_files(self) -> list[str]:
        return sorted({f.file for f in self.findings})

    def summary(self) -> str:
        """One line: what was checked and how it went; the links not followed, if any."""
        files = plural(len(self.files), "file")
        problems = plural(len(self.findings), "problem")
        if self.valid:
            text = f"{files} checked: {plural(len(self.studies), 'study', 'studies')}, all valid"
        elif self.found == 0:
            text = f"{problems}; no evidence file to check"
        else:
            text = f"{problems} in {len(self.invalid_files())} of {files}"
        if self.unfollowed:
            links = plural(len(self.unfollowed), "symbolic link")
            text += f"; {links} not followed (--follow-links follows them)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": self.files,
            "studies": self.studies,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
        }


def location(file: str, line: int | None, column: int | None) -> str:
    """``file:line:column``, as far as each is known: how every finding says where it is."""
    where = file
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where


def github_annotation(
    level: str, file: str, line: int | None, column: int | None, title: str, message: str
) -> str:
    """``::error file=…,line=…,col=…,title=…::message``, escaped so that no text from
    evidence can end the command early or start another one, and with its control
    characters shown as escapes, as in every other output."""
    props = [f"file={github_property(visible(file))}"]
    if line is not None:
        props.append(f"line={line}")
    if column is not None:
        props.append(f"col={column}")
    props.append(f"title={github_property(visible(title))}")
    return f"::{level} {','.join(props)}::{github_data(visible(message))}"


def github_data(text: str) -> str:
    # Escapes of GitHub's workflow-command format, so a message cannot end the
    # command early or start another one.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def plural(count: int, singular: str, many: str | None = None) -> str:
    """ "1 file", "2 files"; ``many`` for irregular plurals ("studies")."""
    return f"{count} {singular if count == 1 else (many or singular + 's')}"

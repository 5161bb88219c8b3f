"""Validation findings as data: what is wrong, where, and what was expected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FindingKind = Literal["file", "encoding", "yaml", "schema", "reference", "duplicate-id"]


@dataclass(frozen=True)
class Finding:
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
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        text = self.location() + ": "
        if self.path:
            text += self.path + ": "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The outcome of checking a set of evidence files."""

    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    studies: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.findings

    def invalid_files(self) -> list[str]:
        return sorted({f.file for f in self.findings})

    def summary(self) -> str:
        files = _plural(len(self.files), "file")
        if self.valid:
            return f"{files} checked: {_plural(len(self.studies), 'study', 'studies')}, all valid"
        problems = _plural(len(self.findings), "problem")
        return f"{problems} in {len(self.invalid_files())} of {files}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": self.files,
            "studies": self.studies,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
        }


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"

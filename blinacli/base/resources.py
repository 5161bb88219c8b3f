"""Where the bundled evidence and templates are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the blinacli package


def _bundled(name: str) -> Path:
    # A wheel carries the folder inside the package; a source checkout (or an
    # editable install) has it at the repository's top level.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def evidence_dir() -> Path:
    return _bundled("evidence")


def templates_dir() -> Path:
    return _bundled("templates")

"""The starter evidence file that ``blinacli new`` writes.

The text is ``starter.yaml`` in this package: every section of the model, each
field explained in a comment with its allowed values, and a ``TODO``
placeholder wherever a person must supply a value from the sources. The
loader rejects every placeholder, so a half-written file never validates.
"""

from __future__ import annotations

import re
import typing
from importlib.resources import files

from blinacli.base.errors import UsageError
from blinacli.model import Slug

STUDY_ID_MARK = "__STUDY_ID__"
"""Where the study id goes in ``starter.yaml`` (inside double quotes)."""

_SLUG = re.compile(typing.get_args(Slug)[1].pattern)


def check_study_id(study_id: str) -> str:
    """``study_id`` when it is a valid study id (the model's Slug), else a UsageError."""
    if _SLUG.search(study_id):
        return study_id
    message = (
        f"invalid study id {study_id!r}: use lower-case letters, digits and hyphens, "
        "starting with a letter or digit (at most 63 characters)"
    )
    suggestion = re.sub(r"[^a-z0-9-]+", "-", study_id.strip().lower()).strip("-")[:63]
    if suggestion and _SLUG.search(suggestion):
        message += f", e.g. {suggestion!r}"
    raise UsageError(message)


def starter_text(study_id: str) -> str:
    """The starter file for a study with this id.

    The id is checked against the model's pattern first, so the substituted
    text holds only lower-case letters, digits and hyphens; it is written in
    double quotes, so an id such as ``no`` or ``123`` stays a string in YAML.
    """
    checked = check_study_id(study_id)
    template = files("blinacli.interop").joinpath("starter.yaml").read_text(encoding="utf-8")
    return template.replace(STUDY_ID_MARK, checked)

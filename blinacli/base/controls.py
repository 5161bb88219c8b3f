"""Control characters from evidence files, made visible wherever text is written.

A title holding an escape sequence must not retitle a terminal or fake colours,
whether it is printed as a table, as Markdown or as HTML piped to a terminal.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(value: str) -> str:
    """Replace control characters (not tab or newline) with visible escapes like ``\\x1b``."""
    if value.isprintable():
        return value  # the common case: control characters are never printable
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)

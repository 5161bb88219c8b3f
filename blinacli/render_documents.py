"""Markdown documents rendered from views through the Jinja templates in ``templates/``.

Templates receive the view (``view``) and a heading level (``level``). The
environment uses StrictUndefined, so a misspelt name is an error rather than a
silent blank. Markdown output is GitHub-flavoured: table cells are escaped,
there is no raw HTML and no trailing whitespace.
"""

from __future__ import annotations

import re
from typing import Any

import jinja2

from blinacli.resources import templates_dir

_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")


def markdown_cell(value: object) -> str:
    """Text safe inside a GFM table cell: pipes escaped, line breaks folded."""
    return " ".join(_escape(str(value)).replace("|", "\\|").split())


def markdown_text(value: object) -> str:
    """Running text: no raw HTML, line breaks folded."""
    return " ".join(_escape(str(value)).split())


def _escape(text: str) -> str:
    # CommonMark backslash escapes: the text reads the same, and cannot open
    # raw HTML or a code span.
    return text.replace("\\", "\\\\").replace("<", "\\<").replace("`", "\\`")


def source_refs(sources: list[str]) -> str:
    return " ".join(f"[{s}]" for s in sources)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = markdown_cell
    env.filters["md"] = markdown_text
    env.filters["refs"] = source_refs
    env.globals["heading"] = lambda level: "#" * max(1, min(6, level))
    return env


def render_markdown(template: str, **context: Any) -> str:
    """Render ``markdown/<template>.md.j2`` with ``context``."""
    context.setdefault("level", 1)
    text = _environment().get_template(f"markdown/{template}.md.j2").render(**context)
    text = _TRAILING.sub("", text)
    return _BLANKS.sub("\n\n", text).strip("\n") + "\n"

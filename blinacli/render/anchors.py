"""Links inside a Markdown document that land where GitHub puts a heading's anchor.

Markdown has no ids of its own: GitHub, and most sites that render Markdown the same
way, give each heading an anchor made from its text ("Overall survival" becomes
``#overall-survival``; a second "Safety" becomes ``#safety-1``). A template cannot
know those anchors while it writes the document, because a heading's anchor depends
on every heading before it. So a template names its parts with ids of its own: it
ends a heading line with ``{{ target("quotes_e1910_memo") }}`` and links to that
part as ``[text](#quotes_e1910_memo)``. When the document is complete,
:func:`resolve_targets` reads every heading in order as GitHub does, takes the
markers out, and rewrites each link to a marked id into a link to its heading's
anchor. Links to ids no heading marks are left as they are.

The marker holds a control character, which no evidence text can print (every
value a template prints has its control characters made visible), so nothing read
from a file can move a link.
"""

from __future__ import annotations

import html
import re
import unicodedata

from blinacli.base.errors import TemplateProblem

MARK = "\x1f"
"""Opens and closes a marker; see :func:`marker`."""

ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,200}")
"""The ids a template may mark a heading with (those :func:`blinacli.views.digest.anchor` makes)."""

_MARKER = re.compile(f"{MARK}([^{MARK}]*){MARK}")
# An ATX heading: up to three spaces, one to six #, then a space or the line's end.
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)(.*)$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9_ -]")
_LINK = re.compile(r"\]\(#([a-z0-9][a-z0-9_-]*)\)")


def marker(*ids: str) -> str:
    """What ``target(id, ...)`` prints: the ids of the heading line it ends."""
    for value in ids:
        if not isinstance(value, str) or ID.fullmatch(value) is None:
            raise ValueError(
                f"target() takes ids of lower-case letters, digits, '-' and '_': {value!r}"
            )
    return "".join(f"{MARK}{value}{MARK}" for value in ids)


def github_slug(text: str) -> str:
    """A heading's anchor as GitHub makes it from the heading's text, before repeats are
    numbered: lower case; letters, marks, digits, "_", "-" and spaces kept, everything
    else (punctuation, symbols, emoji) dropped; each space a hyphen."""
    text = text.lower()
    if text.isascii():  # the common case, without a look-up per character
        return _NOT_ASCII_WORD.sub("", text).replace(" ", "-")
    return "".join(c for c in text if c in " -" or _is_word(c)).replace(" ", "-")


def _is_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or category in ("Nd", "Nl", "Pc")


class Slugger:
    """Anchors for the headings of one document, in order: a repeated anchor gets "-1",
    "-2"… as GitHub numbers them."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """The anchor of the next heading, whose text is ``text``."""
        base = github_slug(text)
        result = base
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result


def heading_text(content: str) -> str:
    """What a reader sees of a heading's Markdown (after the #s): the closing #s and
    surrounding spaces dropped, backslash escapes and character references resolved (the
    Markdown escaper writes "<" as "&lt;" and "~" as "&#126;"). Other inline markup is kept
    as written; the built-in templates put none in headings."""
    content = _CLOSING.sub("", content.strip())
    return html.unescape(_ESCAPED.sub(r"\1", content)).strip()


def resolve_targets(text: str, template: str) -> str:
    """``text`` with its heading markers taken out and every link to a marked id pointing
    at that heading's GitHub anchor. ``template`` names the document in an error: a marker
    on a line that is not a heading, or an id marked twice."""
    if MARK not in text:
        return text
    slugger = Slugger()
    anchors: dict[str, str] = {}
    lines = text.split("\n")
    fence = ""
    for number, line in enumerate(lines, start=1):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            _no_marker(line, number, template, "inside a fenced code block")
            continue
        if opening:
            fence = opening.group(1)
            _no_marker(line, number, template, "on a code fence")
            continue
        heading = _HEADING.match(line)
        if heading is None:
            _no_marker(line, number, template, "not on a heading line")
            continue
        ids = _MARKER.findall(line)
        slug = slugger.slug(heading_text(_MARKER.sub("", heading.group(2))))
        for value in ids:
            if value in anchors:
                raise TemplateProblem(
                    f"template {template}, Markdown line {number}: target {value!r} "
                    "marks a second heading"
                )
            anchors[value] = slug
        if ids:
            lines[number - 1] = _MARKER.sub("", line).rstrip(" \t")
    return _LINK.sub(lambda m: f"](#{anchors.get(m.group(1), m.group(1))})", "\n".join(lines))


def _no_marker(line: str, number: int, template: str, where: str) -> None:
    if MARK in line:
        raise TemplateProblem(
            f"template {template}, Markdown line {number}: target() is {where}; "
            "it marks the heading line it ends"
        )

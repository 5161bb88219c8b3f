"""Reading Markdown output as a reader sees it, with a real CommonMark + tables parser."""

from __future__ import annotations

import unicodedata

from markdown_it import MarkdownIt
from markdown_it.token import Token

MD = MarkdownIt("commonmark").enable("table")

SOF_HEADERS = [
    "Study",
    "Outcome",
    "Timepoint",
    "Population",
    "№ of participants (studies)",
    "Comparator",
    "Intervention",
    "Relative effect",
    "Anticipated absolute effects per 1000 †",
    "Role",
    "Comment",
    "Sources",
]
"""The columns of a Summary-of-Findings table (`outcomes`, the digest)."""
# With derived figures in any row, a "Derived †" column follows the absolute effects.
SOF_WITH_DERIVED = [*SOF_HEADERS[:9], "Derived †", *SOF_HEADERS[9:]]
SOF_BETWEEN_GROUPS = [*SOF_HEADERS[:7], "Groups compared", *SOF_WITH_DERIVED[7:]]
"""The header of a table with a row that compares subgroups (responders vs nonresponders)."""


def inline_text(token: Token) -> str:
    """What a reader sees of an inline token: markup dropped, escapes resolved."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def md_text(markdown: str) -> str:
    """The visible text of a Markdown document, one paragraph or table cell per line."""
    return "\n".join(inline_text(t) for t in MD.parse(markdown) if t.type == "inline")


def md_headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of every heading."""
    tokens = MD.parse(markdown)
    return [
        (int(t.tag[1:]), inline_text(tokens[i + 1]))
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


def md_tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every table as (header cells, body rows), each cell as visible text."""
    return tables_in(MD.parse(markdown))


def tables_in(tokens: list[Token]) -> list[tuple[list[str], list[list[str]]]]:
    """The tables among parsed tokens (a whole document or one section of it)."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    rows: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append(inline_text(tokens[i + 1]))
        elif token.type == "table_close":
            tables.append((rows[0], rows[1:]))
            rows = []
    return tables


def md_list_items(markdown: str) -> list[str]:
    """The visible text of every list item's paragraph."""
    tokens = MD.parse(markdown)
    return [
        inline_text(tokens[i + 2])
        for i, t in enumerate(tokens)
        if t.type == "list_item_open" and tokens[i + 1].type == "paragraph_open"
    ]


def github_anchor(text: str) -> str:
    """The anchor GitHub gives a heading whose visible text is ``text`` (before repeats are
    numbered): lower case, only letters, marks, digits, "_", "-" and spaces kept, spaces
    made hyphens."""
    kept = [
        c
        for c in text.lower()
        if c in "-_ " or unicodedata.category(c)[0] in "LM" or unicodedata.category(c) in "NdNl"
    ]
    return "".join(kept).replace(" ", "-")


def md_anchors(markdown: str) -> list[str]:
    """Every heading's anchor as GitHub makes it, in order: a repeated one gets -1, -2…"""
    anchors: list[str] = []
    seen: dict[str, int] = {}
    for _, text in md_headings(markdown):
        base = anchor = github_anchor(text)
        while anchor in seen:
            seen[base] += 1
            anchor = f"{base}-{seen[base]}"
        seen[anchor] = 0
        anchors.append(anchor)
    return anchors


def md_links(markdown: str) -> list[tuple[str, str]]:
    """(href, visible text) of every link, in order, tables included."""
    links: list[tuple[str, str]] = []
    for token in MD.parse(markdown):
        children = token.children or []
        for i, child in enumerate(children):
            if child.type == "link_open":
                end = next(j for j in range(i, len(children)) if children[j].type == "link_close")
                text = "".join(c.content for c in children[i + 1 : end] if c.type == "text")
                links.append((str(child.attrGet("href")), text))
    return links

"""The draft's text: the document as block YAML in the bundled files' layout, numbers
as the registry wrote them, shared placeholders anchored once, and the comment block
that opens it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import yaml

from blinacli.base.controls import visible
from blinacli.interop.ctgov.record import Record
from blinacli.interop.ctgov.values import Flow, FlowList, Number, Placeholder, text_of


class _Dumper(yaml.SafeDumper):
    """Block YAML in the bundled files' layout, with numbers kept as the registry wrote them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anchor_names: dict[yaml.Node, str] = {}

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        # PyYAML writes bidi overrides, zero-width characters and the like as they are
        # when unicode is allowed; a text holding one is written with every character
        # outside printable ASCII as an escape (\u202e, \xE9), which reads back the same.
        if visible(text) == text:
            super().write_double_quoted(text, split)
            return
        allowed, self.allow_unicode = self.allow_unicode, False
        try:
            super().write_double_quoted(text, split)
        finally:
            self.allow_unicode = allowed

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return not isinstance(data, Placeholder)

    def generate_anchor(self, node: yaml.Node) -> str:
        return self.anchor_names.get(node) or str(super().generate_anchor(node))


def _style(data: str) -> str | None:
    """Short texts inline (placeholders in double quotes), long ones folded, lines kept;
    a text with a hidden character (a control, a bidi override) double-quoted, the one
    style with escapes."""
    if visible(data) != data:
        return '"'
    if "\n" in data:
        return "|"
    if len(data) > 48:
        return ">"
    return '"' if data.startswith("TODO") else None


def _represent_text(dumper: _Dumper, data: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=_style(data))


def _represent_number(dumper: _Dumper, data: Number) -> yaml.Node:
    tag = "tag:yaml.org,2002:float" if "." in data else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, str(data))


def _represent_placeholder(dumper: _Dumper, data: Placeholder) -> yaml.Node:
    node = dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=_style(data))
    dumper.anchor_names[node] = data.anchor
    return node


def _represent_flow(dumper: _Dumper, data: Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_flow_list(dumper: _Dumper, data: FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(Number, _represent_number)
_Dumper.add_representer(Placeholder, _represent_placeholder)
_Dumper.add_representer(Flow, _represent_flow)
_Dumper.add_representer(FlowList, _represent_flow_list)

_SECTIONS = (
    "citation",
    "registrations",
    "sources",
    "design",
    "population",
    "dosing",
    "outcomes",
    "safety",
    "claims",
    "notes",
)


def dump(document: dict[str, Any]) -> str:
    """The document as YAML: block style, in the model's order, sections apart."""
    text = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=80,
    )
    lines = text.splitlines()
    out: list[str] = []
    for line in lines:
        if out and any(line.startswith(f"{key}:") for key in _SECTIONS):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


# --- The comment block ----------------------------------------------------------------------------


def header(record: Record, document: dict[str, Any]) -> str:
    """The comment block that opens the draft: what it is and what is left to do."""
    nct = visible(record.protocol_section.identification_module.nct_id)
    status = record.protocol_section.status_module
    updated = None
    if status is not None and status.last_update_post_date_struct is not None:
        updated = text_of(status.last_update_post_date_struct.date)
    paragraphs = [
        f"DRAFT imported by `blinacli import ctgov` from ClinicalTrials.gov record {nct}"
        + (f" (last update posted {visible(updated)})." if updated else ".")
        + f" It holds {placeholder_count(document)} TODO placeholders: fill each from the "
        "publication, or remove the field where its text says so. Until then `blinacli "
        "validate` rejects the file and lists every placeholder with its line; a "
        "placeholder written once with an &anchor is used again by its *alias, so filling "
        "it once fills them all.",
        'Every figure below was read in the registry record (source "registry"); its quote '
        'lists the record\'s field values for it, joined by " | ". The notes say what the '
        "registry reports that this draft does not import, and why.",
    ]
    references = record.protocol_section.references_module
    listed = [r for r in (references.references if references else []) if r.pmid]
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [*textwrap.wrap(paragraph, 78), ""]
    if listed:
        lines.append("Publications the registry lists, for the citation:")
        for reference in listed:
            # Registry text in a comment cannot be escaped the YAML way: shown as text.
            citation = " ".join(visible(reference.citation or "").split())
            kind = f" ({visible(reference.type.lower())})" if reference.type else ""
            lines += textwrap.wrap(
                f"PMID {visible(reference.pmid or '')}{kind}: {citation}",
                78,
                initial_indent="- ",
                subsequent_indent="  ",
            )
    while lines and not lines[-1]:
        lines.pop()
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def placeholder_count(document: dict[str, Any]) -> int:
    """How many placeholders a person fills: one per anchored placeholder, one per other."""
    seen: set[int] = set()
    count = 0
    for value in _placeholders(document):
        if isinstance(value, Placeholder):
            if id(value) in seen:
                continue
            seen.add(id(value))
        count += 1
    return count


def _placeholders(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if node.startswith("TODO"):
            yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _placeholders(value)
    elif isinstance(node, list):
        for value in node:
            yield from _placeholders(value)

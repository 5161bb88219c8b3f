"""Safe YAML parsing with duplicate-key detection and positions of values.

Parsing uses PyYAML's C loader when it is available (it is several times
faster) and its safe constructor either way: no tag can build a Python object.
Positions are only needed when something is wrong, so the node tree that holds
them is composed on demand by :func:`position`, not on every load.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping repeats a key; YAML would silently keep only the last value."""


class EvidenceLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that rejects duplicate mapping keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # keys brought in by "<<" may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if first is not None:
                raise DuplicateKeyError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def parse(text: str) -> Any:
    """Parse one YAML document safely; raises ``yaml.YAMLError`` with a mark."""
    return yaml.load(text, Loader=EvidenceLoader)  # noqa: S506 - a SafeLoader subclass


Path = tuple[str | int, ...]


def position(text: str, path: Path, *, key: bool = False) -> tuple[int, int] | None:
    """The 1-based (line, column) of the value at ``path`` in ``text``.

    With ``key=True`` the position is that of the last key itself (used for an
    unknown key). When the path cannot be followed to its end (a merge key, an
    alias), the deepest node reached is used; None only if the text no longer
    parses.
    """
    try:
        node = yaml.compose(text, Loader=_Base)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    mark = node.start_mark
    for index, step in enumerate(path):
        last = index == len(path) - 1
        found = _child(node, step)
        if found is None:
            break
        key_node, node = found
        mark = key_node.start_mark if (last and key and key_node is not None) else node.start_mark
    return mark.line + 1, mark.column + 1


def non_text_key_position(text: str, path: Path) -> tuple[int, int] | None:
    """The 1-based position of the first key under ``path`` that YAML does not read as text."""
    try:
        node = yaml.compose(text, Loader=_Base)
    except yaml.YAMLError:
        return None
    for step in path:
        found = _child(node, step) if node is not None else None
        if found is None:
            return None
        node = found[1]
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"):
                return key_node.start_mark.line + 1, key_node.start_mark.column + 1
    return None


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
        if 0 <= step < len(node.value):
            return None, node.value[step]
        return None
    if isinstance(node, yaml.MappingNode):
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged.append(value_node)
            elif isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                return key_node, value_node
        for source in merged:
            for candidate in source.value if isinstance(source, yaml.SequenceNode) else [source]:
                found = _child(candidate, step)
                if found is not None:
                    return found
    return None

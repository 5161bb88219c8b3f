"""Safe YAML parsing with duplicate-key detection and positions of values.

Parsing uses PyYAML's C loader when it is available (it is several times
faster) and its safe constructor either way: no tag can build a Python object.
Positions are only needed when something is wrong, so the node tree that holds
them is composed on demand by :func:`position`, not on every load.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping repeats a key; YAML would silently keep only the last value."""


MAX_DIGITS = 50
"""Longer integers are kept as text (and so rejected as numbers) rather than converted:
Python refuses to convert more than 4,300 digits, and nothing in evidence needs 50."""


_MERGE = "tag:yaml.org,2002:merge"


class EvidenceLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that rejects duplicate mapping keys and keeps huge integers as text."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        text = str(node.value)
        if len(text.replace("_", "")) > MAX_DIGITS:
            return text
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        pairs = len(node.value)
        if not any(key_node.tag == _MERGE for key_node, _ in node.value):
            mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
            if len(mapping) == pairs:
                return mapping  # as many keys as pairs: none repeats
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
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

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:  # 2024-02-30 looks like a date
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{node.value!r} is not a valid date ({exc}); quote it to keep it as text",
                node.start_mark,
            ) from None


EvidenceLoader.add_constructor(
    "tag:yaml.org,2002:int",
    EvidenceLoader.construct_yaml_int,
)
EvidenceLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    EvidenceLoader.construct_yaml_timestamp,
)


def parse(text: str) -> Any:
    """Parse one YAML document safely; raises ``yaml.YAMLError`` with a mark."""
    return yaml.load(text, Loader=EvidenceLoader)  # noqa: S506 - a SafeLoader subclass


Path = tuple[str | int, ...]


@functools.lru_cache(maxsize=2)
def _composed(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (None if it does not parse), kept for the next call:
    a file with many findings asks for many positions in the same text."""
    try:
        return yaml.compose(text, Loader=_Base)
    except yaml.YAMLError:
        return None


def position(text: str, path: Path, *, key: bool = False) -> tuple[int, int] | None:
    """The 1-based (line, column) of the value at ``path`` in ``text``.

    With ``key=True`` the position is that of the last key itself (used for an
    unknown key). When the path cannot be followed to its end (a merge key, an
    alias), the deepest node reached is used; None only if the text no longer
    parses.
    """
    node = _composed(text)
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


# --- Limits: what a hostile file cannot make blinacli do ----------------------------

MAX_BYTES = 5 * 1024 * 1024
"""Largest evidence file read (5 MiB); a study file is typically under 20 KB."""
MAX_FLOW_DEPTH = 64
"""Deepest nesting of flow collections ([...] and {...}) accepted."""
MAX_INDENT = 1000
"""Widest indentation accepted, in columns, counting the "- " and "? " of nested block
entries: libyaml composes nested blocks by recursion in C, which a few tens of
thousands of levels would overflow."""
MAX_VALUES = 100_000
"""Most values a document may hold once its aliases are expanded (alias bombs)."""

_BRACKETS = re.compile(r"[\[\]{}]")
_DEEP_INDENT = re.compile(rf"^(?:[ \t]|[-?:](?=[ \t])){{{MAX_INDENT + 1}}}", re.MULTILINE)


class LimitError(Exception):
    """A document goes past one of the limits above; ``path`` is where, when known."""

    def __init__(self, message: str, path: Path = (), offset: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.offset = offset


def check_flow_depth(text: str) -> None:
    """Reject flow nesting deeper than MAX_FLOW_DEPTH before parsing (libyaml slows down
    badly on it). Brackets inside quoted text count too, so the limit is generous."""
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return  # too few openings to nest that deep
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_FLOW_DEPTH:
            raise LimitError(
                f"nesting deeper than {MAX_FLOW_DEPTH} levels of [ ] or {{ }}",
                offset=match.start(),
            )


def check_indentation(text: str) -> None:
    """Reject block nesting deeper than MAX_INDENT columns before parsing."""
    match = _DEEP_INDENT.search(text)
    if match is not None:
        raise LimitError(
            f"nesting too deep to read: indentation beyond {MAX_INDENT} columns",
            offset=match.start(),
        )


def check_expansion(data: Any) -> None:
    """Reject a recursive alias, or aliases that expand past MAX_VALUES values.

    PyYAML shares one object for every use of an anchor, so a few lines can stand
    for billions of values that validation would then visit. Sizes are memoised
    per object, so this walk is linear in the document's unique nodes.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any, path: Path) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise LimitError(
                "an alias refers to a value that contains it (a recursive alias)", path
            )
        active.add(key)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        total = 1
        for step, child in items:
            total += size(child, (*path, step if isinstance(step, int | str) else str(step)))
            if total > MAX_VALUES:
                raise LimitError(
                    f"the document holds more than {MAX_VALUES:,} values, counting every use "
                    "of an alias",
                    path,
                )
        active.discard(key)
        sizes[key] = total
        return total

    size(data, ())

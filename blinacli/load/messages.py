"""Word what is wrong with an evidence file as findings a person can act on.

YAML errors, the reader's limits and msgspec's validation errors become
:class:`~blinacli.base.findings.Finding` objects with the file, line and column, the
field path, what was expected (in words, from the model's declared types) and what was
found, with a hint when a common mistake explains it.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from blinacli.base.findings import Finding
from blinacli.model import Study, format_path

if TYPE_CHECKING:
    import yaml

    from blinacli.load import yamlfile

# PyYAML and blinacli.load.yamlfile are imported by the functions that need them, not
# here: a load served from the cache never words a finding.

DataPath = tuple[str | int, ...]


def shorten(text: str, width: int = 70) -> str:
    """A text value on one line, cut to ``width`` characters, for quoting in a message."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def too_large(name: str, size: int) -> Finding:
    """The finding for a file over the size limit, which is never read."""
    from blinacli.load import yamlfile

    limit = yamlfile.MAX_BYTES // (1024 * 1024)
    return Finding(
        name,
        "file",
        f"file is {size / (1024 * 1024):.1f} MiB, over the {limit} MiB limit for evidence files",
        hint="one study per file; a study file is typically well under 1 MiB",
    )


def limit_finding(name: str, text: str, exc: yamlfile.LimitError) -> Finding:
    """The finding for a file past one of the reader's limits (nesting, aliases, indentation)."""
    line: int | None
    column: int | None
    if exc.offset is not None:
        line = text.count("\n", 0, exc.offset) + 1
        column = exc.offset - (text.rfind("\n", 0, exc.offset) + 1) + 1
    else:
        line, column = line_and_column(text, exc.path)
    return Finding(name, "yaml", str(exc), line, column, path=format_path(exc.path))


def line_and_column(
    text: str, path: DataPath, *, key: bool = False
) -> tuple[int | None, int | None]:
    """The line and column (1-based) of the value at ``path`` in ``text``, or of its key with
    ``key``; (None, None) when the path is not in the text."""
    from blinacli.load import yamlfile

    found = yamlfile.position(text, path, key=key)
    return found if found is not None else (None, None)


def yaml_finding(name: str, exc: yaml.YAMLError, text: str) -> Finding:
    """The finding for a file that is not valid YAML, at the place the writer must look."""
    import yaml

    from blinacli.load import yamlfile

    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml reports the position as a byte offset into the UTF-8 text.
        prefix = text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Finding(
            name,
            "yaml",
            f"invalid YAML: character U+{code:04X} is not allowed (control characters "
            "cannot appear in YAML text)",
            line,
            column,
        )
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    # An unclosed quote or bracket is found at the end of the file; where it
    # opened is what the writer needs.
    ends = "end of stream" in problem
    mark = (context_mark if ends else None) or problem_mark or context_mark
    if problem == "but found another document":
        message = "the file holds more than one YAML document; an evidence file holds one study"
    else:
        message = problem
        if context and not isinstance(exc, yamlfile.DuplicateKeyError):
            message += f" ({context})"
    hint = "indent with spaces, not tabs" if "tab character" in problem else None
    if mark is None:
        return Finding(name, "yaml", f"invalid YAML: {message}", hint=hint)
    return Finding(
        name, "yaml", f"invalid YAML: {message}", mark.line + 1, mark.column + 1, hint=hint
    )


# --- Translating validation errors ---------------------------------------------------

_AT = re.compile(r"^(?P<message>.*?)(?: - at (?P<key>`key` in )?`\$(?P<path>[^`]*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_TYPE_NAMES = {
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "bool": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing (null)",
}


def parse_path(text: str) -> DataPath:
    """``.outcomes[2].ci`` -> ("outcomes", 2, "ci")."""
    return tuple(name if name else int(index) for name, index in _STEP.findall(text))


def _value_at(data: Any, path: DataPath) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def describe(value: Any) -> str:
    """A parsed value as a message names what was found: its kind, or the value itself."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(types: str) -> str:
    names = [_TYPE_NAMES.get(t.strip(), t.strip()) for t in types.split("|")]
    if {"a whole number", "a number"} <= set(names):
        names.remove("a whole number")
    if "nothing (null)" in names and len(names) > 1:
        names.remove("nothing (null)")
    return " or ".join(dict.fromkeys(names))


def schema_finding(name: str, text: str, data: Any, error: str) -> Finding:
    """msgspec's validation ``error`` for ``data`` (parsed from ``text``) as a finding: the
    field's line, what it accepts in words, what was found, and a hint when one helps."""
    from blinacli.load import yamlfile

    match = _AT.match(error.strip())
    assert match is not None  # the pattern matches any text
    message = match.group("message")
    path = parse_path(match.group("path") or "")
    value = _value_at(data, path)
    key_position = False
    hint: str | None = None

    if match.group("key"):
        keys = [k for k in value if not isinstance(k, str)] if isinstance(value, dict) else []
        message = "keys must be text, found " + (describe(keys[0]) if keys else "another kind")
        hint = "YAML reads yes, no, on, off, true and false as booleans; quote the key"
        found_at = yamlfile.non_text_key_position(text, path)
        if found_at is not None:
            return Finding(name, "schema", message, *found_at, path=format_path(path), hint=hint)
    elif unknown := re.match(r"Object contains unknown field `(.+)`", message):
        field_name = unknown.group(1)
        fields = _fields(path, data)
        path = path + (field_name,)
        key_position = True
        message = "unknown key"
        if fields:
            message += "; expected one of: " + ", ".join(fields)
        hint = _did_you_mean(field_name, fields)
    elif missing := re.match(r"Object missing required field `(.+)`", message):
        message = f"missing required key {missing.group(1)!r}"
    elif typed := re.match(r"Expected `([^`]+)`, got `([^`]+)`", message):
        expected = _expectation(path, data) or _expected(typed.group(1))
        bare = _bare(value)
        wanted = _type_names(typed.group(1))
        if bare is not None and (
            "bool" in wanted if isinstance(bare, bool) else bool({"int", "float"} & wanted)
        ):
            message = f"expected {expected}, found the text {value!r}"
            hint = _remove_quotes(value, bare)
        elif (
            isinstance(value, str)
            and _HUGE_INTEGER.fullmatch(value)
            and not _written_in_quotes(text, path)
        ):
            # Kept as text by the YAML loader: too long to be any count or figure.
            digits = len(value.replace("_", "")) - (2 if "x" in value.lower() else 0)
            message = f"expected {expected}, found an integer of {digits} digits"
        else:
            message = f"expected {expected}, found {describe(value)}"
            hint = _type_hint(typed.group(1), value)
    elif isinstance(value, float) and not math.isfinite(value):
        message = f"expected a finite number, found {describe(value)}"
    elif bound := re.match(r"Expected `([^`]+)` (>=|<=|>|<) (\S+)", message):
        operator, limit = bound.group(2), bound.group(3)
        whole = _whole_only(path, data)
        # A whole-number member's bound is msgspec's (> 0 becomes >= 1): right for a whole
        # number, wrong for a field that also takes 0.5. Such a field says its own bound.
        declared = None if whole else _declared_bound(path, data, lower=operator[0] == ">")
        if declared is not None:
            operator, limit = declared
        symbol = {">=": "≥", "<=": "≤"}.get(operator, operator)
        kind = "a whole number" if whole else "a number"
        message = f"expected {kind} {symbol} {_number(limit)}, found {describe(value)}"
    elif length := re.match(r"Expected `(str|array)` of length (>=|<=) (\d+)", message):
        noun = "character" if length.group(1) == "str" else "item"
        count = int(length.group(3))
        most = "at least" if length.group(2) == ">=" else "at most"
        found = str(len(value)) if isinstance(value, str | list) else describe(value)
        message = f"expected {most} {count} {noun}{'s' if count != 1 else ''}, found {found}"
    elif re.match(r"Invalid (enum )?value|Expected `str` matching regex", message):
        expected = _expectation(path, data) or "a value in the documented form"
        allowed = _allowed(path, data)
        number = _bare(value)
        if (
            number is not None
            and not isinstance(number, bool)
            and (_takes_numbers(path, data) or any(_same_number(a, number) for a in allowed))
        ):
            message = f"expected {expected}, found the text {value!r}"
            hint = _remove_quotes(value, number)
        else:
            message = f"expected {expected}, found {describe(value)}"
            hint = _did_you_mean(str(value), allowed)
    else:
        message = message[:1].lower() + message[1:]

    line, column = line_and_column(text, path, key=key_position)
    return Finding(name, "schema", message, line, column, path=format_path(path), hint=hint)


_HUGE_INTEGER = re.compile(r"[-+]?(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|[0-9_]+)")


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else text


def _choices(values: Sequence[object]) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values)


def _did_you_mean(found: str, options: Sequence[object]) -> str | None:
    """The allowed value closest to ``found``, as it is written in a file; never the text
    already written (a quoted 3 is not answered with 3)."""
    texts = {str(option): option for option in options if str(option) != found}
    close = difflib.get_close_matches(found, list(texts), n=1, cutoff=0.6)
    if not close:
        return None
    option = texts[close[0]]
    return f"did you mean {option!r}?" if isinstance(option, str) else f"did you mean {option}?"


def _type_names(types: str) -> set[str]:
    return {name.strip() for name in types.split("|")}


def _bare(value: Any) -> int | float | bool | None:
    """What a text value would be without its quotes (YAML's reading of it bare) when
    that is a finite number or a boolean; None when it is not text, or would be text."""
    if not isinstance(value, str) or not value.strip() or len(value) > 60:
        return None
    import yaml

    from blinacli.load import yamlfile

    try:
        number = yamlfile.parse(value)
    except yaml.YAMLError:
        return None
    if isinstance(number, bool):
        return number
    if not isinstance(number, int | float):
        return None
    return number if math.isfinite(number) else None


def _remove_quotes(written: str, bare: float) -> str:
    """The hint for a number or boolean written in quotes, which makes it text."""
    kind = "true or false" if isinstance(bare, bool) else "a number"
    return f"remove the quotes: in quotes, {written.strip()} is text, not {kind}"


def _same_number(allowed: object, number: float) -> bool:
    return not isinstance(allowed, bool | str) and allowed == number


def _written_in_quotes(text: str, path: DataPath) -> bool:
    """Whether the value at ``path`` is written in quotes in ``text``."""
    line, column = line_and_column(text, path)
    if line is None or column is None:
        return False
    lines = text.splitlines()
    return 0 < line <= len(lines) and lines[line - 1][column - 1 : column] in ("'", '"')


def _type_hint(expected: str, value: Any) -> str | None:
    wants_text = "str" in expected.split(" | ")
    wants_number = {"int", "float"} & {t.strip() for t in expected.split("|")}
    if wants_text and isinstance(value, int | float) and not isinstance(value, bool):
        return f'put it in quotes: "{value}"'
    if wants_text and value.__class__.__name__ in ("date", "datetime"):
        return f'dates are text here: write "{value}" in quotes'
    if wants_number and isinstance(value, str) and re.fullmatch(r"[0-9.]+[eE][-+]?\d+", value):
        number = float(value)
        if math.isfinite(number) and number != 0:
            return f"YAML reads {value} as text; write it as a decimal such as {number:.10g}"
        return None
    if (
        wants_number
        and isinstance(value, str)
        and value.strip().rstrip("%").strip().replace(".", "", 1).isdigit()
    ):
        return "write the number without quotes or units"
    return None


# --- Finding the declared type of a path, for allowed values and descriptions ---------


def _resolve(path: DataPath, data: Any) -> Any:
    """The msgspec type info at ``path``, following tagged unions by the data's tags."""
    from msgspec import inspect as mi

    node: Any = mi.type_info(Study)
    walked: DataPath = ()
    for step in path:
        node = _narrow(node, _value_at(data, walked))
        if isinstance(step, int) and isinstance(node, mi.ListType):
            node = node.item_type
        elif isinstance(step, str) and isinstance(node, mi.StructType):
            node = next((f.type for f in node.fields if f.name == step), None)
            if node is None:
                return None
        else:
            return None
        walked = walked + (step,)
    return node


def _narrow(node: Any, value: Any) -> Any:
    """Unwrap metadata, and choose the union member that fits ``value``."""
    from msgspec import inspect as mi

    while isinstance(node, mi.Metadata):
        node = node.type
    if isinstance(node, mi.UnionType):
        for member in node.types:
            member = _narrow(member, value)
            if isinstance(member, mi.StructType) and isinstance(value, dict):
                if member.tag_field is None or value.get(member.tag_field) == member.tag:
                    return member
            if isinstance(member, mi.ListType) and isinstance(value, list):
                return member
    return node


def _members(node: Any) -> list[Any]:
    from msgspec import inspect as mi

    while isinstance(node, mi.Metadata):
        node = node.type
    if isinstance(node, mi.UnionType):
        return [m for t in node.types for m in _members(t)]
    return [node]


def _tags(path: DataPath) -> list[str]:
    """The tags a tagged union accepts, when ``path`` ends at its tag field."""
    from msgspec import inspect as mi

    if not path or path[-1] not in ("measure", "kind"):
        return []
    members = _members(_resolve(path[:-1], {}))
    return [
        str(m.tag)
        for m in members
        if isinstance(m, mi.StructType) and m.tag_field == path[-1] and m.tag is not None
    ]


def _allowed(path: DataPath, data: Any) -> list[object]:
    """The literal values a field accepts (empty when it is not an enumeration)."""
    from msgspec import inspect as mi

    tags = _tags(path)
    if tags:
        return list(tags)
    node = _resolve(path, data)
    values: list[object] = []
    for member in _members(node):
        if isinstance(member, mi.LiteralType):
            values.extend(member.values)
    return values


def _fields(path: DataPath, data: Any) -> list[str]:
    from msgspec import inspect as mi

    node = _narrow(_resolve(path, data), _value_at(data, path))
    if isinstance(node, mi.StructType):
        return [f.name for f in node.fields]
    return []


def _expectation(path: DataPath, data: Any) -> str | None:
    """What the field at ``path`` accepts, in words; None when it is a plain type."""
    from msgspec import inspect as mi

    tags = _tags(path)
    if tags:
        return "one of " + _choices(tags)
    members = _members(_resolve(path, data))
    parts: list[str] = []
    literals: list[object] = []
    for member in _members_with_metadata(_resolve(path, data)):
        description = _described(member)
        inner = member.type if isinstance(member, mi.Metadata) else member
        if isinstance(inner, mi.LiteralType):
            literals.extend(inner.values)
        elif isinstance(inner, mi.IntType | mi.FloatType):
            parts.append("a number")
        elif isinstance(inner, mi.StrType) and description:
            parts.append(description)
    if literals:
        parts.append(("one of " if len(literals) > 1 else "") + _choices(literals))
    if not parts or (parts == ["a number"] and len(members) == 1):
        return None
    return " or ".join(dict.fromkeys(parts))


def _members_with_metadata(node: Any) -> list[Any]:
    from msgspec import inspect as mi

    if isinstance(node, mi.Metadata) and isinstance(node.type, mi.UnionType):
        node = node.type
    if isinstance(node, mi.UnionType):
        return [m for t in node.types for m in _members_with_metadata(t)]
    return [node]


def _described(node: Any) -> str | None:
    from msgspec import inspect as mi

    if isinstance(node, mi.Metadata) and node.extra_json_schema:
        description = node.extra_json_schema.get("description")
        if description:
            return str(description)[:1].lower() + str(description)[1:].rstrip(".")
    return None


def _takes_numbers(path: DataPath, data: Any) -> bool:
    """Whether the field at ``path`` accepts a number (of any kind)."""
    from msgspec import inspect as mi

    return any(isinstance(m, mi.IntType | mi.FloatType) for m in _members(_resolve(path, data)))


def _declared_bound(path: DataPath, data: Any, *, lower: bool) -> tuple[str, str] | None:
    """The lower (or upper) bound the field at ``path`` declares for fractional numbers,
    as (operator, limit); None when it takes no fractions or declares no such bound."""
    from msgspec import inspect as mi

    for member in _members(_resolve(path, data)):
        if isinstance(member, mi.FloatType):
            pairs = (
                ((">", member.gt), (">=", member.ge))
                if lower
                else (
                    ("<", member.lt),
                    ("<=", member.le),
                )
            )
            for operator, limit in pairs:
                if limit is not None:
                    return operator, repr(float(limit))
    return None


def _whole_only(path: DataPath, data: Any) -> bool:
    from msgspec import inspect as mi

    kinds = {type(m) for m in _members(_resolve(path, data))}
    return mi.IntType in kinds and mi.FloatType not in kinds

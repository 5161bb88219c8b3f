"""The JSON Schema (draft 2020-12) of evidence files, generated from the model.

msgspec derives the structure from :mod:`blinacli.model`: types, bounds,
patterns, allowed values, required keys and defaults. The descriptions come
from the model's docstrings: a struct's docstring describes its object and the
string under a field describes that field. They are read from the module's
source rather than declared with ``Meta(description=...)``, because the loader
words some of its messages from a field's ``Meta`` description; docstrings
leave the validation model exactly as it is.

The schema checks each value on its own. Rules that involve several values (a
confidence interval's order, a count against its denominator) and references
across a study (arms, subgroups, outcomes, sources) are the loader's, so a file
the schema accepts can still fail ``blinacli validate``.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from types import ModuleType
from typing import Any

import msgspec

from blinacli.base.errors import BlinacliError
from blinacli.model import design, provenance, results, scalars, study

MODULES = (scalars, provenance, design, results, study)
"""The modules of the model, whose docstrings describe its structs and fields."""

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:blinacli:evidence:{scalars.SCHEMA_VERSION}"
TITLE = "blinacli evidence file"

_ROOT_NOTE = (
    "One study per file. This schema checks each value on its own; `blinacli validate` also "
    "checks the rules that involve several values and the references between arms, subgroups, "
    f"outcomes and sources. Evidence model version {scalars.SCHEMA_VERSION}."
)


def evidence_schema() -> dict[str, Any]:
    """The JSON Schema of one evidence file (a :class:`~blinacli.study.Study`), as a dict."""
    _, components = msgspec.json.schema_components([study.Study])
    docs = _docstrings()
    for name, component in components.items():
        _describe(component, _struct(name), docs)
    root = components.pop(study.Study.__name__)
    root.pop("title", None)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": TITLE,
        "description": f"{root.pop('description')}\n\n{_ROOT_NOTE}",
        **root,
        "$defs": components,
    }


def schema_json() -> str:
    """The schema as JSON text: keys sorted, 2-space indent, a final newline."""
    return json.dumps(evidence_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- Descriptions from the model's docstrings ----------------------------------------


class _Docs(msgspec.Struct, frozen=True):
    """The docstrings of one class in the model's source."""

    text: str | None
    fields: dict[str, str]


def _docstrings() -> dict[str, _Docs]:
    """Class name -> its docstring and the docstring under each of its fields."""
    found: dict[str, _Docs] = {}
    for module in MODULES:
        found.update(_module_docstrings(module))
    return found


def _module_docstrings(module: ModuleType) -> dict[str, _Docs]:
    try:
        source = inspect.getsource(module)
    except OSError as exc:
        raise BlinacliError(f"cannot read the evidence model's source: {exc}") from exc
    found: dict[str, _Docs] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        for statement, following in zip(node.body, node.body[1:], strict=False):
            text = _string(following)
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and text is not None
            ):
                fields[statement.target.id] = text
        found[node.name] = _Docs(ast.get_docstring(node), fields)
    return found


def _string(node: ast.stmt) -> str | None:
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return node.value.value
    return None


def _struct(name: str) -> type[msgspec.Struct]:
    cls = next((getattr(m, name) for m in MODULES if hasattr(m, name)), None)
    if not (isinstance(cls, type) and issubclass(cls, msgspec.Struct)):  # pragma: no cover
        raise BlinacliError(f"the schema names {name!r}, which is not a struct of the model")
    return cls


def _describe(component: dict[str, Any], cls: type[msgspec.Struct], docs: dict[str, _Docs]) -> None:
    """Set the description of an object and of each of its properties from the docstrings."""
    own = docs.get(cls.__name__)
    if own is not None and own.text:
        component["description"] = _prose(own.text)
    properties: dict[str, dict[str, Any]] = component.get("properties", {})
    config = cls.__struct_config__
    if config.tag_field is not None and config.tag_field in properties:
        properties[config.tag_field]["description"] = (
            f"The {config.tag_field} of this entry: always `{config.tag}`."
        )
    for field in msgspec.structs.fields(cls):
        text = _field_doc(cls, field.name, docs)
        if text is None:
            continue
        schema = properties[field.encode_name]
        about_type = schema.get("description")
        text = _prose(text)
        schema["description"] = f"{text} {about_type}" if about_type else text


def _field_doc(cls: type, field: str, docs: dict[str, _Docs]) -> str | None:
    """The docstring of ``field``, from the class that declares it or the nearest base."""
    for klass in cls.__mro__:
        own = docs.get(klass.__name__)
        if own is not None and field in own.fields:
            return own.fields[field]
    return None


def _prose(docstring: str) -> str:
    """A docstring as plain prose: paragraphs on one line each, ``code`` as `code`."""
    paragraphs = re.split(r"\n\s*\n", inspect.cleandoc(docstring))
    text = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    return re.sub(r"``([^`]+)``", r"`\1`", text)

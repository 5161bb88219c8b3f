"""The read commands' options as data, and a parser that reads only what it is sure of.

``SPECS`` declares, for list, show, compare, outcomes and safety, every argument and
option their Typer commands take: its names, whether it is a flag or takes a value,
whether it repeats, its choices (and whether their case matters), an integer's bounds
and the default. :func:`parse` reads the words after the command name into the
parameters Typer would pass, or answers None for anything it does not fully
understand: ``--help`` or ``-h``, an unknown option, ``--``, a short-option cluster or a
value attached to a short option, a value that is missing, empty, starts with ``-`` or
is out of its choices or bounds, a missing or extra argument. None means "let Typer
read it", so help, errors and their exit codes are always Typer's own.

This is a second parser beside Click's; ``tests/test_quick.py`` holds every spec to the
Click command Typer builds (names, flags, repetition, choices, bounds, defaults), so an
option added to a command without its spec here fails the tests.
"""

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, NamedTuple

from blinacli.cli.choices import Design, Format, Status

Kind = Literal["flag", "text", "path", "int", "choice"]


class Option(NamedTuple):
    """One option: ``name`` is the command's parameter, ``flags`` its spellings."""

    name: str
    flags: tuple[str, ...]
    kind: Kind
    multiple: bool = False
    choices: type[StrEnum] | None = None
    case_sensitive: bool = True
    min: int | None = None
    max: int | None = None
    default: Any = None


class Argument(NamedTuple):
    """One argument: ``nargs`` is 1, or -1 for one or more (as Click counts them)."""

    name: str
    nargs: int
    required: bool


class Spec(NamedTuple):
    arguments: tuple[Argument, ...]
    options: tuple[Option, ...]


_LOADING = (
    Option("evidence", ("--evidence", "-e"), "path", multiple=True),
    Option("follow_links", ("--follow-links",), "flag", default=False),
    Option("no_cache", ("--no-cache",), "flag", default=False),
    Option("output", ("--format", "-f"), "choice", choices=Format, case_sensitive=False),
    Option("heading_level", ("--heading-level",), "int", min=1, max=6, default=1),
    Option("templates", ("--templates",), "path", multiple=True),
)
"""What every read command takes: the evidence, the cache, the format and templates."""

_FILTERS = (
    Option("drug", ("--drug",), "text"),
    Option("phase", ("--phase",), "text"),
    Option("design", ("--design",), "choice", choices=Design),
    Option("mrd", ("--mrd",), "choice", choices=Status),
    Option("ph", ("--ph",), "choice", choices=Status),
    Option("endpoint", ("--endpoint",), "text"),
    Option("year_from", ("--year-from",), "int"),
    Option("year_to", ("--year-to",), "int"),
    Option("min_n", ("--min-n",), "int", min=0),
    Option("age", ("--age",), "int", min=0),
    Option("search", ("-q", "--search"), "text"),
    Option("where", ("--where",), "text", multiple=True),
)
"""The filters of list, outcomes and safety (``choices.FILTERS``)."""

SPECS: dict[str, Spec] = {
    "list": Spec((), _LOADING + _FILTERS),
    "show": Spec(
        (Argument("study_id", 1, required=True),),
        (
            Option("full", ("--full",), "flag", default=False),
            Option("section", ("--section", "-s"), "text", multiple=True),
            *_LOADING,
        ),
    ),
    "compare": Spec(
        (Argument("study_ids", -1, required=True),),
        (Option("section", ("--section", "-s"), "text", multiple=True), *_LOADING),
    ),
    "outcomes": Spec(
        (Argument("endpoint_name", 1, required=False),),
        (Option("vocabulary_list", ("--list",), "flag", default=False), *_LOADING, *_FILTERS),
    ),
    "safety": Spec(
        (),
        (
            Option("category", ("--category",), "text"),
            Option("min_grade", ("--min-grade",), "int", min=1, max=5),
            *_LOADING,
            *_FILTERS,
        ),
    ),
}
"""Every command the quick path reads, by name, with its arguments and options in the
order of its Typer signature."""


def parse(spec: Spec, words: list[str]) -> dict[str, Any] | None:
    """The parameters ``words`` (what follows the command name) give, as Typer passes
    them, or None when Typer must read them."""
    by_flag = {flag: option for option in spec.options for flag in option.flags}
    given: dict[str, Any] = {}
    positional: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("-"):
            positional.append(word)
            continue
        if word.startswith("--"):
            flag, equals, value = word.partition("=")
        elif len(word) == 2:
            flag, equals, value = word, "", ""
        else:
            return None  # "-", a cluster (-ve) or an attached value (-fjson)
        option = by_flag.get(flag)
        if option is None:
            return None  # --help, -h, --, or an option the command does not take
        if option.kind == "flag":
            if equals:
                return None
            given[option.name] = True
            continue
        if not equals:
            if index == len(words):
                return None
            value = words[index]
            index += 1
        converted = _convert(option, value)
        if converted is None:
            return None
        if option.multiple:
            given.setdefault(option.name, []).append(converted)
        else:
            given[option.name] = converted
    arguments = _arguments(spec.arguments, positional)
    if arguments is None:
        return None
    return {
        **arguments,
        **{option.name: given.get(option.name, option.default) for option in spec.options},
    }


def _convert(option: Option, value: str) -> Any:
    """``value`` as the option's type, or None when Click might read it otherwise or
    refuse it (an empty value, one that starts with ``-``, a number written otherwise
    than in ASCII digits, a value out of bounds or out of the choices)."""
    if not value or value.startswith("-"):
        return None
    if option.kind == "text":
        return value
    if option.kind == "path":
        return Path(value)
    if option.kind == "int":
        if not (value.isascii() and value.isdigit()):
            return None
        number = int(value)
        if option.min is not None and number < option.min:
            return None
        if option.max is not None and number > option.max:
            return None
        return number
    assert option.choices is not None
    if option.case_sensitive:
        matches = [choice for choice in option.choices if choice.value == value]
    else:
        matches = [choice for choice in option.choices if choice.casefold() == value.casefold()]
    return matches[0] if len(matches) == 1 else None


def _arguments(arguments: tuple[Argument, ...], words: list[str]) -> dict[str, Any] | None:
    """The arguments ``words`` give, or None for a count Click would refuse."""
    if not arguments:
        return {} if not words else None
    (argument,) = arguments  # every read command takes one argument, at most
    if argument.nargs == -1:
        if argument.required and not words:
            return None
        return {argument.name: words or None}
    if len(words) > 1 or (argument.required and not words):
        return None
    return {argument.name: words[0] if words else None}

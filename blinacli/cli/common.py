"""The helpers commands share: loading the evidence, selecting studies, printing views.

``_load`` and ``_check`` load the evidence in use (with a progress bar when it is
slow), ``_select`` applies the filter options, ``_emit`` prints a view in the chosen
format, ``_json`` writes JSON and ``_nothing`` says that nothing matched.
``_check_output`` and ``_deliver`` are the two halves of ``-o FILE``: the writer's
rules checked before a command's work, then the document written to FILE or to
standard output. The library is imported inside each helper, so a command loads
only what it uses.

Everything printed goes to ``sys.stdout``, which ``blinacli.render.streams``
has made the one checked gate of standard output: a write that fails there is an
error message and exit 1, never a traceback or a silently short output.
"""

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from blinacli.base.errors import UsageError
from blinacli.cli.choices import FILTERS, Format
from blinacli.cli.edge import _notes, keep


def _json(payload: Any) -> str:
    """``payload`` as indented JSON, exactly as ``json.dumps(payload, ensure_ascii=False,
    indent=2)`` writes it, but for hidden characters (controls, bidi overrides,
    zero-width characters), which are written as ``\\u`` escapes (``escape_json``):
    the data reads back the same, and no escape sequence reaches a terminal. The
    standard library encodes it compactly in C (with an indent, it encodes in
    Python), and msgspec indents that text without re-reading its numbers. Four
    times faster on a list of 10,000 studies."""
    import json

    import msgspec

    from blinacli.base.controls import escape_json

    compact = escape_json(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    try:
        return msgspec.json.format(compact, indent=2)
    except msgspec.DecodeError:  # NaN or Infinity, which only Python's JSON writes
        return escape_json(json.dumps(payload, ensure_ascii=False, indent=2))


CHUNK = 1 << 20
"""How much of a large JSON document :func:`_write_json` escapes and writes at a time."""


def _write_json(compact: bytes) -> None:
    """Compact JSON (UTF-8) on standard output as :func:`_json` writes it, and a line end.

    Indented as bytes, then escaped and written a megabyte at a time, cut at line ends:
    escaping replaces single characters inside strings, so it gives the same text
    whether it comes before indenting or after, and in one piece or in many. A list of
    50,000 studies is never held as one string of text, which takes two bytes a
    character once a single one is beyond Latin-1."""
    import msgspec

    from blinacli.base.controls import escape_json

    formatted = msgspec.json.format(compact, indent=2)
    del compact
    start = 0
    while start < len(formatted):
        end = formatted.find(b"\n", start + CHUNK)
        end = len(formatted) if end < 0 else end + 1
        sys.stdout.write(escape_json(formatted[start:end].decode("utf-8")))
        start = end
    sys.stdout.write("\n")


def _format(chosen: Format | None) -> Format:
    if chosen is not None:
        return chosen
    return Format.table if sys.stdout.isatty() else Format.markdown


def _emit(
    view: Any,
    chosen: Format | None,
    *,
    terminal: str,
    template: str,
    templates: list[Path] | None,
    data: Callable[[], Any] | None = None,
    level: int = 1,
    context: dict[str, Any] | None = None,
) -> None:
    """Print ``view`` in the chosen format: ``terminal`` names its Rich renderer (a
    function of ``blinacli.render.terminal``, or ``module:function`` for another module
    of ``blinacli.render``), ``template`` its Markdown and HTML templates (``templates``
    are the user's directories, searched first; ``level`` is their top heading's level);
    JSON and CSV come from the view itself. ``context`` goes to the renderer and the
    templates as well as the view."""
    extra = context or {}
    fmt = _format(chosen)
    if fmt is Format.json:
        compact = getattr(view, "json_compact", None) if data is None else None
        if compact is not None:  # the view writes its JSON itself, as json.dumps would
            _write_json(compact())
        else:
            sys.stdout.write(_json(data() if data is not None else view.to_json()) + "\n")
    elif fmt is Format.csv:
        import csv

        from blinacli.base.controls import spreadsheet_cell

        header, rows = view.to_csv()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        for row in [header, *rows]:  # no cell holds a control character or a formula
            writer.writerow([spreadsheet_cell(cell) for cell in row])
    elif fmt in (Format.markdown, Format.html):
        from blinacli.render.documents import render

        kind: Literal["markdown", "html"] = "html" if fmt is Format.html else "markdown"
        sys.stdout.write(render(kind, template, templates, view=view, level=level, **extra))
    else:
        import importlib

        from blinacli.render.streams import print_table

        module, _, name = terminal.rpartition(":")
        renderers = importlib.import_module(f"blinacli.render.{module or 'terminal'}")
        print_table(getattr(renderers, name)(view, **extra))


def _check_output(output: Path | None, force: bool) -> None:
    """Before a command does its work: ``--force`` needs ``-o FILE``, and FILE must be
    one the output writer may write (see ``blinacli.render.output``), so a refusal
    comes at once rather than after loading and rendering."""
    if output is None:
        if force:
            raise UsageError("--force needs --output FILE")
        return
    from blinacli.render.output import check_output

    check_output(output, force=force)


def _deliver(text: str, output: Path | None, force: bool) -> None:
    """A command's document: to ``output`` through the output writer, or, without
    ``-o``, to standard output."""
    if output is None:
        sys.stdout.write(text)
        return
    from blinacli.render.output import write_output

    write_output(output, text, force=force)


def _nothing(message: str) -> None:
    """No match is not an error: nothing on stdout, a note on stderr, exit 0."""
    from blinacli.base.controls import visible

    sys.stderr.write(f"note: {visible(message)}\n")


def _load(evidence: list[Path] | None, no_cache: bool, follow_links: bool = False) -> Any:
    """The evidence in use (see ``loader.load``), with a progress bar if it is slow.

    Symbolic links inside evidence folders that were not followed are never passed
    over in silence: one note on stderr says how many (``--verbose`` names them)."""
    from blinacli.base.findings import plural
    from blinacli.load import loader
    from blinacli.views.indexed import SUMMARIES

    with _loading() as progress:
        found = loader.load(
            evidence,
            cache=not no_cache,
            progress=progress,
            follow_links=follow_links,
            summaries=SUMMARIES,
        )
    keep(found)
    _notes(found.notes)
    if found.unfollowed:
        links = plural(len(found.unfollowed), "symbolic link")
        was = "was" if len(found.unfollowed) == 1 else "were"
        sys.stderr.write(
            f"note: {links} in the evidence folders {was} not followed "
            "(--follow-links follows links; --verbose names them)\n"
        )
    return found


def _check(paths: list[Path] | None, no_cache: bool, follow_links: bool = False) -> Any:
    """Every file's findings and the valid studies (see ``loader.check``); the links not
    followed are counted in the report's summary."""
    from blinacli.load import loader
    from blinacli.views.indexed import SUMMARIES

    with _loading() as progress:
        report, loaded = loader.check(
            paths or None,
            cache=not no_cache,
            progress=progress,
            follow_links=follow_links,
            summaries=SUMMARIES,
        )
    keep(loaded)
    _notes(report.notes)
    return report, loaded


@contextmanager
def _loading() -> Iterator[Any]:
    """Around a load: the progress callback (or None), and the collector kept away.

    The studies live until the process ends (``edge.keep``): the collector is paused
    while they are built, then told to leave them be (gc.freeze), so no later
    collection scans them again (with 10,000 studies, each scan took tenths of a
    second).
    """
    from blinacli.load.progress import load_progress

    gc.disable()
    try:
        with load_progress() as progress:
            yield progress
        gc.freeze()
    finally:
        gc.enable()


def _select(
    evidence: list[Path] | None, arguments: dict[str, Any], loaded: Any = None
) -> list[Any]:
    """The studies in use that match the filter options among a command's ``arguments``."""
    return [item.study for item in _select_loaded(evidence, arguments, loaded)]


def _select_loaded(
    evidence: list[Path] | None, arguments: dict[str, Any], loaded: Any = None
) -> list[Any]:
    """The loaded studies (``loader.LoadedStudy``) in use that match the filter options
    among a command's ``arguments``; none of them is read whole unless ``--search``
    needs it."""
    from blinacli.views import filters

    given = {name: arguments[name] for name in FILTERS}
    where = given.pop("where") or []
    for key in ("design", "mrd", "ph"):
        if given.get(key) is not None:
            given[key] = given[key].value
    criteria = filters.Criteria.build(
        where=where, **{k: v for k, v in given.items() if v is not None}
    )
    evidence_in_use = loaded or _load(
        evidence, arguments.get("no_cache", False), arguments.get("follow_links", False)
    )
    return filters.select_loaded(evidence_in_use.loaded, criteria)

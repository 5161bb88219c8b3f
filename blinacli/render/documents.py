"""Markdown and HTML documents rendered from views through Jinja templates.

Templates live in ``templates/<format>/`` (``markdown/show.md.j2``,
``html/show.html.j2``). A user's template directories are searched first, with
the same layout; ``{% extends "default:markdown/show.md.j2" %}`` reaches the
built-in template a user template overrides. Every template runs in Jinja's
immutable sandbox with StrictUndefined, within the limits of
``blinacli.render.sandbox`` (numbers, lengths, time, memory, nesting): no
template can reach Python internals, and whatever goes wrong while rendering
(a misspelt name, a division by zero, a template including itself, a limit
reached) is one TemplateProblem naming the template file and line. HTML is
autoescaped; Markdown escapes table cells and running text with filters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

import jinja2
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup

from blinacli.base.controls import visible
from blinacli.base.errors import TemplateProblem
from blinacli.base.resources import templates_dir
from blinacli.render.anchors import marker, resolve_targets
from blinacli.render.sandbox import (
    Limits,
    Sandbox,
    TemplateFiles,
    bounded,
    collect,
    too_much_memory,
)
from blinacli.views.absolute import ABSOLUTE_LEGEND
from blinacli.views.derived import LEGEND, MARK
from blinacli.views.digest import anchor

if TYPE_CHECKING:  # a forest plot's layout is imported when a template draws one
    from blinacli.render.forest_svg import ForestLayout
    from blinacli.views.forest import ForestPlot

DocumentFormat = Literal["markdown", "html"]
ENV_TEMPLATES = "BLINACLI_TEMPLATES"
SUFFIX = {"markdown": ".md.j2", "html": ".html.j2"}

_BLANKS = re.compile(r"\n{3,}")


# --- Filters --------------------------------------------------------------------------


# The characters that can start inline markup anywhere in a line: escapes, code
# spans, emphasis (* and _), GitHub's strikethrough (~) and math ($), links, images,
# footnotes and link definitions ([ and ]; an image's ! is then plain text), raw HTML
# and autolinks (<), character references (an & before "#", a letter or a digit, so
# "&#x202e;" stays as written, and so does "&#0" or "&not", which an HTML reader would
# decode without their semicolon), and
# the attribute lists of Python-Markdown's attr_list extension ({ and }).
_INLINE = re.compile(r"[\\`*_~$\[\]{}<]|&(?=[#A-Za-z0-9])")
# How each is written. A backslash escape where every common Markdown reader takes it
# (CommonMark, GitHub, markdown-it, Python-Markdown); a character reference where
# Python-Markdown would show the backslash (it knows no escape for ~, $, < or &).
_INLINE_WRITTEN = {"~": "&#126;", "$": "&#36;", "<": "&lt;", "&": "&amp;"}
# What starts a block at the start of a line: a heading ("#" to "######", then a space
# in CommonMark but not in Python-Markdown), a quote (">"), a list item ("-", "+", "1."
# or "1)" then a space), a thematic break or setext underline (a text of only "-" or
# "=" and spaces). "-0.5" and "0.1.0" start no block and are left as they are. And a
# heading's closing sequence: #s at the end (after a space for CommonMark; after
# anything for Python-Markdown, which reads "# C#" as the heading "C").
_BLOCK_START = re.compile(r"^(?:#|>|[-+](?= |$)|[0-9]{1,9}(?=[.)](?: |$))|[-=][-= ]*$)")
_BLOCK_FIRST = frozenset("#>+-=0123456789")
_CLOSING_HASHES = re.compile(r"#(?=#*$)")
# How the first character of a block marker is written: "\#", "\-", "\+"; ">" and "="
# as references, since Python-Markdown knows no escape for "=" (and "&gt;" reads the
# same everywhere).
_BLOCK_WRITTEN = {">": "&gt;", "=": "&#61;"}


def _escape(text: str) -> str:
    # Hidden characters made visible first (a line separator too), then every character
    # that could start markup written so that it reads as itself: the text reads the
    # same, and no part of it is markup. Line breaks are folded into spaces, so no text
    # can start a block of its own.
    text = " ".join(visible(text).split())
    if _INLINE.search(text) is None:
        return text  # the common case, and faster than a substitution that finds nothing
    return _INLINE.sub(_written, text)


def _written(match: re.Match[str]) -> str:
    char = match.group()
    return _INLINE_WRITTEN.get(char) or "\\" + char


def markdown_cell(value: object) -> str:
    """Text safe inside a GFM table cell: no markup made of it, pipes escaped, line
    breaks folded."""
    return _escape(str(value)).replace("|", "\\|")


def markdown_text(value: object) -> str:
    """Running text, which may start a line (a paragraph, a heading, a list item): no
    markup made of it, line breaks folded."""
    text = _escape(str(value))
    if text.endswith("#"):  # first: every backslash before it is an escaped one
        text = _CLOSING_HASHES.sub(r"\\#", text)
    start = _BLOCK_START.match(text) if text[:1] in _BLOCK_FIRST else None
    if start is not None:
        marker = start.group()
        if marker[0].isdigit():
            escaped = marker + "\\"  # "1\." and "1\)"
        else:
            escaped = _BLOCK_WRITTEN.get(marker[0]) or "\\" + marker[0]
            escaped += marker[1:]  # "\#", "&gt;", "\- - -", "&#61;=="
        text = escaped + text[start.end() :]
    return text


def source_refs(sources: list[str]) -> str:
    """The ``[id]`` marks of the sources behind a figure, as they read in the Markdown
    itself. The brackets are blinacli's own and stay unescaped, for a writer reading the
    raw text; they make no link, since no evidence text can define a link reference
    (its brackets are escaped). An id is escaped like any cell text, so one that the
    model did not check could not carry markup either."""
    return " ".join(f"[{markdown_cell(s)}]" for s in sources)


@jinja2.pass_context
def _refs(context: Context, sources: list[str], study: str | None = None) -> str:
    """The ``refs`` filter: ``[id]`` marks, each a link to where the document shows that
    source when the template knows the study (``refs(row.study_id)``) and the document
    lists its sources (it sets ``source_links``, as the digest does: see
    :func:`blinacli.views.digest.source_links`). A mark whose source the document does
    not list stays plain text. HTML templates get links as HTML, Markdown ones as
    Markdown links to the heading the template marked with ``target()``."""
    links = context.get("source_links")
    targets = links.get(study, {}) if study is not None and isinstance(links, dict) else {}
    if not targets:
        return source_refs(sources)
    if context.eval_ctx.autoescape:
        return Markup(" ").join(
            Markup('<a class="source-link" href="#{}">[{}]</a>').format(targets[s], s)
            if s in targets
            else Markup("[{}]").format(s)
            for s in sources
        )
    return " ".join(
        f"[\\[{markdown_cell(s)}\\]](#{targets[s]})" if s in targets else f"[{markdown_cell(s)}]"
        for s in sources
    )


@jinja2.pass_eval_context
def _finalize(eval_ctx: EvalContext, value: object) -> object:
    """Every value a template prints: evidence text with its control characters made
    visible. Markup (already-safe HTML from a macro) is left as it is.

    It takes the evaluation context only so that Jinja calls it at run time: a
    finalizer without one lets Jinja print constant expressions while compiling, which
    would run them outside the sandbox's limits.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _heading(level: int) -> str:
    return "#" * max(1, min(6, level))


def _target(*ids: str) -> Markup:
    """``target(id, ...)``: ends a Markdown heading line, making the heading the place a
    link to ``#id`` leads to (see :mod:`blinacli.render.anchors`). Markup, so that the
    marker is printed as it is."""
    return Markup(marker(*ids))


def _forest_layout(plot: ForestPlot, width: int = 720) -> ForestLayout:
    """The SVG coordinates of a forest plot, for ``html/_forest.html.j2``: the view holds
    the plot's data, the renderer lays it out when the template asks."""
    from blinacli.render.forest_svg import forest_layout

    return forest_layout(plot, width)


# --- Environment ----------------------------------------------------------------------


def template_dirs(user: Sequence[Path] | None = None) -> list[Path]:
    """User template directories: ``user`` (from --templates), else $BLINACLI_TEMPLATES."""
    if user:
        return list(user)
    env = os.environ.get(ENV_TEMPLATES, "")
    return [Path(p) for p in env.split(os.pathsep) if p.strip()]


def environment(user: Sequence[Path] | None = None, limits: Limits | None = None) -> Sandbox:
    """The sandbox templates run in: ``user`` directories before the built-in templates,
    the filters and globals templates use, and ``limits`` (by default the base ones)."""
    builtin = TemplateFiles(str(templates_dir()))
    env = Sandbox(
        limits or Limits.for_context({}),
        loader=jinja2.ChoiceLoader(
            [
                TemplateFiles([str(d) for d in template_dirs(user)]),
                builtin,
                jinja2.PrefixLoader({"default": builtin}, delimiter=":"),
            ]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
        auto_reload=False,  # templates do not change during a run: no stat per include
    )
    env.filters["cell"] = markdown_cell
    env.filters["md"] = markdown_text
    env.filters["refs"] = _refs
    env.globals["heading"] = _heading
    env.globals["anchor"] = anchor
    env.globals["target"] = _target
    env.globals["forest_layout"] = _forest_layout
    env.globals["derived_mark"] = MARK
    env.globals["derived_legend"] = LEGEND
    env.globals["absolute_legend"] = ABSOLUTE_LEGEND
    return env


def render(
    fmt: DocumentFormat, template: str, user: Sequence[Path] | None = None, **context: Any
) -> str:
    """Render ``<fmt>/<template>`` with ``context`` within the sandbox's limits.

    Every error raised while rendering, Jinja's or not, becomes a TemplateProblem
    naming the template file and line it happened at.
    """
    context.setdefault("level", 1)
    name = f"{fmt}/{template}{SUFFIX[fmt]}"
    limits = Limits.for_context(context)
    env = environment(user, limits)
    try:
        with bounded(limits) as deadline:
            text = collect(env.get_template(name), context, limits, deadline)
            if fmt == "markdown":
                text = _tidy_markdown(text)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{_short(exc.filename or exc.name or name)}, line {exc.lineno}"
        raise TemplateProblem(f"template {where}: {_one_line(exc.message or '')}") from exc
    except jinja2.TemplateNotFound as exc:
        frames = _template_frames(exc, env.files)
        if not frames:
            raise TemplateProblem(f"no template {exc.name!r} (looked for {name!r})") from exc
        raise TemplateProblem(
            f"template {_at(frames[-1])}: no template {_one_line(repr(exc.name))}"
        ) from exc
    except Exception as exc:  # every error of a template, whatever raised it
        frames = _template_frames(exc, env.files)
        where = _at(frames[-1]) if frames else _one_line(name)
        raise TemplateProblem(f"template {where}: {_message(exc, frames, limits)}") from exc
    return resolve_targets(text, _one_line(name)) if fmt == "markdown" else text


def _tidy_markdown(text: str) -> str:
    """No spaces or tabs at the ends of lines, no more than one blank line in a row, one
    newline at the end. Lines are stripped one by one: a regular expression for the
    spaces before a line end retries at every space of a long run, which is quadratic."""
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip("\n") + "\n"


def render_markdown(template: str, **context: Any) -> str:
    """Render ``markdown/<template>.md.j2`` with the built-in templates."""
    return render("markdown", template, **context)


# --- Errors -----------------------------------------------------------------------------

_MESSAGE = 400
"""Characters of an error message shown; a message quoting a long value is cut."""


def _template_frames(exc: BaseException, files: set[str]) -> list[tuple[str, int]]:
    """The template files and lines a runtime error passed through, outermost first.

    Jinja rewrites tracebacks so that template code appears as frames of the
    template file (one of ``files``, those the sandbox read); the last of them is
    where the error happened.
    """
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in files:
            frames.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _at(frame: tuple[str, int]) -> str:
    return f"{_short(frame[0])}, line {frame[1]}"


def _short(filename: str) -> str:
    """A template's file as a user reads it: relative to the built-in templates, or the
    path of the user's file, on one line with control characters made visible."""
    path = Path(filename)
    try:
        return _one_line(str(path.relative_to(templates_dir())))
    except ValueError:
        return _one_line(str(path))


def _one_line(text: str) -> str:
    return visible(text).replace("\n", "\\n")


def _message(exc: Exception, frames: list[tuple[str, int]], limits: Limits) -> str:
    """What went wrong, in one line: Jinja's message, the limit reached, the loop of
    templates that nest without end, or the Python error as Python names it."""
    if isinstance(exc, RecursionError):
        return _nesting(frames)
    if isinstance(exc, MemoryError):
        return too_much_memory(limits)
    if isinstance(exc, jinja2.TemplateError):
        text = exc.message or type(exc).__name__
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = _one_line(text)  # it may quote a value of any length: cut it
    return text if len(text) <= _MESSAGE else text[: _MESSAGE - 1] + "…"


def _nesting(frames: list[tuple[str, int]]) -> str:
    """Templates that include, extend or call each other without end: the loop they go
    round, found as the shortest sequence of template lines that repeats at the end."""
    for period in range(1, min(12, len(frames) // 3) + 1):
        loop = frames[-period:]
        if frames[-2 * period : -period] == loop == frames[-3 * period : -2 * period]:
            if period == 1:
                return (
                    "nesting too deep: this line reaches itself again and again "
                    "(an include, extends, import or macro call that never ends)"
                )
            steps = " → ".join(f"{_short(file)} line {line}" for file, line in loop)
            return (
                f"nesting too deep: {steps} → and round again "
                "(templates that include, extend or call each other in a loop)"
            )
    return "nesting too deep: templates include, extend or call each other too many levels deep"


def builtin_templates() -> list[str]:
    """Every built-in template name, e.g. ``markdown/show.md.j2``, sorted."""
    root = templates_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.j2"))


def copy_templates(name: str | None, directory: Path, *, force: bool = False) -> list[Path]:
    """Copy one built-in template (or all, when ``name`` is None) into ``directory``.

    The copy keeps the layout (``directory/markdown/show.md.j2``) so the directory
    works as it is with ``--templates``. Each file goes through the output writer
    (:func:`blinacli.render.output.write_output`): an existing file is replaced only
    with ``force``, and each is written atomically. Every target is checked before
    the first is written, so a refusal writes nothing.
    """
    from blinacli.render.output import OutputError, check_output, write_output

    names = builtin_templates()
    if name is not None:
        wanted = name.strip().lstrip("/")
        if wanted not in names:
            close = [
                n for n in names if PurePosixPath(n).name.startswith(PurePosixPath(wanted).stem)
            ]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TemplateProblem(
                f"no built-in template {name!r}{hint} (see: blinacli templates list)"
            )
        names = [wanted]
    targets = [directory / n for n in names]
    refused: list[OutputError] = []
    for target in targets:
        try:
            check_output(target, force=force)
        except OutputError as exc:
            refused.append(exc)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        more = len(refused) - 1
        raise OutputError(
            f"{refused[0]} ({more} more {'template is' if more == 1 else 'templates are'} "
            "in the way too)"
        )
    for source, target in zip(names, targets, strict=True):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TemplateProblem(f"cannot create {target.parent}: {exc.strerror or exc}") from exc
        write_output(target, (templates_dir() / source).read_text(encoding="utf-8"), force=force)
    return targets

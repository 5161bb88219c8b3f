"""Markdown and HTML documents rendered from views through Jinja templates.

Templates live in ``templates/<format>/`` (``markdown/show.md.j2``,
``html/show.html.j2``). A user's template directories are searched first, with
the same layout; ``{% extends "default:markdown/show.md.j2" %}`` reaches the
built-in template a user template overrides. Every template runs in Jinja's
immutable sandbox with StrictUndefined: a misspelt name is an error naming the
template and line, and no template can reach Python internals. HTML is
autoescaped; Markdown escapes table cells and running text with filters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from blinacli.base.controls import visible
from blinacli.base.errors import TemplateProblem
from blinacli.base.resources import templates_dir
from blinacli.views.derived import LEGEND, MARK

if TYPE_CHECKING:  # a forest plot's layout is imported when a template draws one
    from blinacli.render.forest_svg import ForestLayout
    from blinacli.views.forest import ForestPlot

DocumentFormat = Literal["markdown", "html"]
ENV_TEMPLATES = "BLINACLI_TEMPLATES"
SUFFIX = {"markdown": ".md.j2", "html": ".html.j2"}

_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")


# --- Filters --------------------------------------------------------------------------


# The characters that can start inline markup anywhere in a line: escapes, code
# spans, emphasis (* and _), GitHub's strikethrough (~) and math ($), links, images,
# footnotes and link definitions ([ and ]; an image's ! is then plain text), raw HTML
# and autolinks (<), and character references (&, so "&#x202e;" stays as written).
_INLINE = re.compile(r"[\\`*_~$\[\]<&]")
# What starts a block at the start of a line, as CommonMark reads it: a heading ("#"
# to "######" then a space), a quote (">"), a list item ("-", "+", "1." or "1)" then a
# space), a thematic break or setext underline (a text of only "-" or "=" and
# spaces). "-0.5" and "0.1.0" start no block and are left as they are. And a
# heading's closing sequence: #s at the end, after a space.
_BLOCK_START = re.compile(r"^(?:#{1,6}(?= |$)|>|[-+](?= |$)|[0-9]{1,9}(?=[.)](?: |$))|[-=][-= ]*$)")
_BLOCK_FIRST = frozenset("#>+-=0123456789")
_CLOSING_HASHES = re.compile(r"(?<= )#(?=#*$)")


def _escape(text: str) -> str:
    # Hidden characters made visible first (a line separator too), then CommonMark
    # backslash escapes (any ASCII punctuation may be escaped): the text reads the
    # same, and no part of it is markup. Line breaks are folded into spaces, so no
    # text can start a block of its own.
    text = " ".join(visible(text).split())
    if _INLINE.search(text) is None:
        return text  # the common case, and faster than a substitution that finds nothing
    return _INLINE.sub(_backslashed, text)


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group()


def markdown_cell(value: object) -> str:
    """Text safe inside a GFM table cell: no markup made of it, pipes escaped, line
    breaks folded."""
    return _escape(str(value)).replace("|", "\\|")


def markdown_text(value: object) -> str:
    """Running text, which may start a line (a paragraph, a heading, a list item): no
    markup made of it, line breaks folded."""
    text = _escape(str(value))
    start = _BLOCK_START.match(text) if text[:1] in _BLOCK_FIRST else None
    if start is not None:
        marker = start.group()
        escaped = marker + "\\" if marker[0].isdigit() else "\\" + marker  # "1\." or "\#"
        text = escaped + text[start.end() :]
    if text.endswith("#"):
        text = _CLOSING_HASHES.sub(r"\\#", text)
    return text


def source_refs(sources: list[str]) -> str:
    return " ".join(f"[{s}]" for s in sources)


def _finalize(value: object) -> object:
    """Every value a template prints: evidence text with its control characters made
    visible. Markup (already-safe HTML from a macro) is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _heading(level: int) -> str:
    return "#" * max(1, min(6, level))


def _forest_layout(plot: ForestPlot, width: int = 720) -> ForestLayout:
    """The SVG coordinates of a forest plot, for ``html/_forest.html.j2``: the view holds
    the plot's data, the renderer lays it out when the template asks."""
    from blinacli.render.forest_svg import forest_layout

    return forest_layout(plot, width)


# --- Environment ----------------------------------------------------------------------


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, remembering its verdict on each attribute.

    The sandbox decides whether ``obj.attr`` is safe from the type of ``obj`` and the
    attribute's name alone (a leading underscore, the internals of functions, methods,
    classes, code, frames and generators, the mutating methods of lists, dicts and
    sets), so a verdict holds for every object of that type. A digest of 1,000 studies
    asks 300,000 times; remembering the answer made rendering several times faster.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


def template_dirs(user: Sequence[Path] | None = None) -> list[Path]:
    """User template directories: ``user`` (from --templates), else $BLINACLI_TEMPLATES."""
    if user:
        return list(user)
    env = os.environ.get(ENV_TEMPLATES, "")
    return [Path(p) for p in env.split(os.pathsep) if p.strip()]


def environment(user: Sequence[Path] | None = None) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(str(templates_dir()))
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(d) for d in template_dirs(user)]),
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
    env.filters["refs"] = source_refs
    env.globals["heading"] = _heading
    env.globals["forest_layout"] = _forest_layout
    env.globals["derived_mark"] = MARK
    env.globals["derived_legend"] = LEGEND
    return env


def render(
    fmt: DocumentFormat, template: str, user: Sequence[Path] | None = None, **context: Any
) -> str:
    """Render ``<fmt>/<template>`` with ``context``; template errors raise TemplateProblem."""
    context.setdefault("level", 1)
    name = f"{fmt}/{template}{SUFFIX[fmt]}"
    try:
        text = environment(user).get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(f"no template {exc.name!r} (looked for {name!r})") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(
            f"template {exc.filename or exc.name}, line {exc.lineno}: {exc.message}"
        ) from exc
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"template {_where(exc, name)}: {exc.message or exc}") from exc
    if fmt == "markdown":
        text = _BLANKS.sub("\n\n", _TRAILING.sub("", text)).strip("\n") + "\n"
    return text


def render_markdown(template: str, **context: Any) -> str:
    """Render ``markdown/<template>.md.j2`` with the built-in templates."""
    return render("markdown", template, **context)


def _where(exc: BaseException, fallback: str) -> str:
    """The template file and line a runtime error happened in, from its traceback.

    Jinja rewrites tracebacks so that template code appears as frames of the
    template file; the innermost such frame is where the error is.
    """
    where = fallback
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{_short(filename)}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _short(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.relative_to(templates_dir()))
    except ValueError:
        return str(path)


def builtin_templates() -> list[str]:
    """Every built-in template name, e.g. ``markdown/show.md.j2``, sorted."""
    root = templates_dir()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.j2"))


def copy_templates(name: str | None, directory: Path, *, force: bool = False) -> list[Path]:
    """Copy one built-in template (or all, when ``name`` is None) into ``directory``.

    The copy keeps the layout (``directory/markdown/show.md.j2``) so the directory
    works as it is with ``--templates``. An existing file is replaced only with
    ``force``; each file is written atomically.
    """
    from blinacli.render.output import write_atomic

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
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise TemplateProblem(
            f"{existing[0]} already exists; use --force to replace "
            + ("it" if len(existing) == 1 else f"the {len(existing)} existing templates")
        )
    for source, target in zip(names, targets, strict=True):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TemplateProblem(f"cannot create {target.parent}: {exc.strerror or exc}") from exc
        write_atomic(target, (templates_dir() / source).read_text(encoding="utf-8"))
    return targets

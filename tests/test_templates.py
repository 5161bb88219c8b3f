"""User templates: override, extend with default:, list, copy; sandboxed and strict."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from blinacli.cli.app import app
from blinacli.render import template_context
from blinacli.render.documents import ENV_TEMPLATES, builtin_templates


def user_template(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_builtin_template_is_described(runner: CliRunner) -> None:
    """`templates list` names every built-in template and what it receives."""
    result = runner.invoke(app, ["templates", "list"])
    assert result.exit_code == 0
    for name in builtin_templates():
        assert f"{name}\n" in result.stdout
        assert template_context.describe(name) != ["a template of your own"], name
    assert "`view` (StudyView):" in result.stdout
    assert "  outcomes: OutcomeView per outcome" in result.stdout


@pytest.mark.parametrize("template", sorted(template_context.VIEWS))
def test_every_view_field_has_help(template: str) -> None:
    """The documented context covers every field of every view a template receives."""
    try:
        cls = template_context.view_class(template)
    except ModuleNotFoundError:  # pragma: no cover - a view module not written yet
        pytest.fail(f"the view of {template!r} does not exist")
    helps = template_context.FIELDS.get(cls.__name__, {})
    missing = [name for name in template_context.field_names(cls) if not helps.get(name)]
    assert not missing, f"{cls.__name__}: document {missing} in template_context.FIELDS"


def test_templates_list_marks_overrides(runner: CliRunner, tmp_path: Path) -> None:
    """A user template that overrides a built-in one is marked as such."""
    path = user_template(tmp_path, "markdown/list.md.j2", "mine\n")
    result = runner.invoke(app, ["templates", "list", "--templates", str(tmp_path)])
    assert f"markdown/list.md.j2  (overridden by {path})\n" in result.stdout


def test_copied_and_edited_template_changes_the_output(runner: CliRunner, tmp_path: Path) -> None:
    """Done-when: copy a template, edit it, and the output follows the edit."""
    copied = runner.invoke(app, ["templates", "copy", "markdown/_overview.md.j2", str(tmp_path)])
    assert copied.exit_code == 0
    target = tmp_path / "markdown" / "_overview.md.j2"
    assert copied.stdout == f"{target}\n"
    target.write_text(
        target.read_text(encoding="utf-8").replace("| Headline result |", "| Main result |"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["list", "--templates", str(tmp_path)])
    assert result.exit_code == 0
    assert "| Main result |" in result.stdout
    assert "Headline result" not in result.stdout
    assert runner.invoke(app, ["list"]).stdout.count("| Headline result |") == 1


def test_environment_variable_names_template_directories(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BLINACLI_TEMPLATES (a path list) is searched like --templates."""
    user_template(tmp_path, "markdown/list.md.j2", "from the environment\n")
    monkeypatch.setenv(ENV_TEMPLATES, str(tmp_path))
    assert runner.invoke(app, ["list"]).stdout == "from the environment\n"


def test_default_prefix_extends_the_builtin(runner: CliRunner, tmp_path: Path) -> None:
    """A user template can extend the built-in one it overrides through default:."""
    user_template(
        tmp_path,
        "markdown/list.md.j2",
        '{% extends "default:markdown/list.md.j2" %}\n'
        "{% block body %}\nEvidence in use\n\n{{ super() }}{% endblock %}\n",
    )
    result = runner.invoke(app, ["list", "--templates", str(tmp_path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Evidence in use"
    assert lines[2] == "| Study | Design | Population | N | Headline result |"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("line one\n{{ view.rowz }}\n", 2, "has no attribute 'rowz'"),
        ("{{ veiw }}\n", 1, "'veiw' is undefined"),
        ("a\n\n{% if %}\n", 3, "Expected an expression"),
        ("a\n{{ view.__class__.__mro__ }}\n", 2, "access to attribute '__class__'"),
        ("{{ ''.__class__.__subclasses__() }}\n", 1, "is unsafe"),
        ("{{ view.to_json.__globals__ }}\n", 1, "is unsafe"),
    ],
    ids=["typo", "undefined", "syntax", "class", "subclasses", "globals"],
)
def test_broken_or_hostile_template_fails_cleanly(
    runner: CliRunner, tmp_path: Path, text: str, line: int, message: str
) -> None:
    """A typo or a reach for Python internals is an error naming template and line (exit 1)."""
    path = user_template(tmp_path, "markdown/list.md.j2", text)
    result = runner.invoke(app, ["list", "--templates", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: template {path}, line {line}: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_template_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    """A user template that includes a template that does not exist names it."""
    user_template(tmp_path, "markdown/list.md.j2", '{% include "markdown/_nope.md.j2" %}\n')
    result = runner.invoke(app, ["list", "--templates", str(tmp_path)])
    assert result.exit_code == 1
    assert "no template 'markdown/_nope.md.j2'" in result.stderr


def test_copy_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    """An existing template is never replaced unless --force says so."""
    target = user_template(tmp_path, "markdown/list.md.j2", "mine\n")
    refused = runner.invoke(app, ["templates", "copy", "markdown/list.md.j2", str(tmp_path)])
    assert refused.exit_code == 1
    assert f"{target} already exists; use --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = runner.invoke(
        app, ["templates", "copy", "markdown/list.md.j2", str(tmp_path), "--force"]
    )
    assert forced.exit_code == 0
    assert "_overview.md.j2" in target.read_text(encoding="utf-8")


def test_copy_all(runner: CliRunner, tmp_path: Path) -> None:
    """--all copies every built-in template, keeping the layout."""
    result = runner.invoke(app, ["templates", "copy", "--all", str(tmp_path / "t")])
    assert result.exit_code == 0
    copied = sorted(str(p.relative_to(tmp_path / "t")) for p in (tmp_path / "t").rglob("*.j2"))
    assert copied == builtin_templates()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["templates", "copy", "markdown/lst.md.j2", "x"], 1, "no built-in template"),
        (["templates", "copy", "markdown/list.md.j2"], 2, "give NAME DIR, or --all DIR"),
        (["templates", "copy", "a", "b", "--all", "c"], 2, "not both"),
    ],
)
def test_copy_errors(
    runner: CliRunner, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    """copy says what is wrong: an unknown template (1) or a malformed request (2)."""
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert message in result.stderr


def test_validate_github_annotations(runner: CliRunner, tmp_path: Path) -> None:
    """validate --format github prints one workflow annotation per problem, escaped."""
    folder = tmp_path / "a,b"
    folder.mkdir()
    broken = folder / "x.yaml"
    broken.write_text("id: x\nacronym: X\ntitle: 50% done\nextra: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--format", "github", str(broken)])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    file = str(broken).replace(":", "%3A").replace(",", "%2C")
    assert first.startswith(f"::error file={file},line=4,col=1,title=blinacli schema::extra: ")
    assert "extra: unknown key; expected one of: id, acronym, title, drugs," in first
    assert result.stdout.splitlines()[-1] == "invalid: 1 problem in 1 of 1 file"

"""The piped study card written as plain text is byte for byte what Rich lays out.

Every bundled study, every study under tests/fixtures that loads, a few hundred
synthetic ones (``benchmarks/synthetic.py``) and copies of the bundled cards whose texts
hold wide (CJK) characters, combining marks, control characters, tabs and very long
words, each at widths 20, 40, 80, 120 and 200: ``print_table`` with the plain writer
and with Rich's layout (the writer turned off) print the same bytes.
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

from benchmarks import synthetic
from blinacli.base.resources import evidence_dir
from blinacli.load import loader
from blinacli.model import Study
from blinacli.render import card_terminal, plain, streams
from blinacli.views import card
from blinacli.views.card import CardView

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (20, 40, 80, 120, 200)
ODD_TEXTS = (
    "日本語の臨床試験と中文字符測試",
    "e\u0301te\u0301 cafe\u0301 n\u0303",
    "\x1b[31mred\x1b[0m and \x07 bell\x00",
    "tab\there\tand\u200bzero\u2028width",
    "x" * 150,
    "Ｗｉｄｅ　ｆｕｌｌ　ｗｉｄｔｈ",
    "🧪🧬 emoji and 👩‍⚕️ joined",
    "a-very-long-identifier-" * 8,
)


def _printed(renderable: Any, monkeypatch: pytest.MonkeyPatch, *, rich_only: bool) -> str:
    """What ``print_table`` writes to a pipe, with or without the plain writer."""
    out = io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", out)
        if rich_only:
            patch.setattr(plain, "plain_lines", lambda renderable, console: None)
        streams.print_table(renderable)
    return out.getvalue()


def _fixture_studies() -> list[Study]:
    studies = []
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.yaml")):
        study, _ = loader.load_file(path)
        if study is not None:
            studies.append(study)
    return studies


def _mangled(view: CardView, seed: int) -> CardView:
    """``view`` with odd texts put into its strings, the same way for the same seed."""
    rng = random.Random(seed)

    def mangle(value: Any) -> Any:
        if isinstance(value, str):
            odd = rng.choice(ODD_TEXTS)
            return rng.choice([f"{value} {odd}", f"{odd}{value}", odd, value])
        if isinstance(value, list):
            return [mangle(item) for item in value]
        if isinstance(value, dict):
            return {key: mangle(item) for key, item in value.items()}
        return value

    data = msgspec.to_builtins(view)
    figures = [[d.pop("figure") for d in outcome["derived"]] for outcome in data["outcomes"]]
    mangled = mangle(data)
    for outcome, kept in zip(mangled["outcomes"], figures, strict=True):
        for derived, figure in zip(outcome["derived"], kept, strict=True):
            derived["figure"] = figure  # typed values, not text: left as they are
    return msgspec.convert(mangled, CardView)


def _cards(synthetic_folder: Path) -> Iterator[tuple[str, CardView]]:
    bundled = loader.load([evidence_dir()], cache=False).studies
    for study in bundled:
        yield f"bundled {study.id}", card.card_view(study)
    for study in _fixture_studies():
        yield f"fixture {study.id}", card.card_view(study)
    for study in loader.load([synthetic_folder], cache=False).studies:
        yield f"synthetic {study.id}", card.card_view(study)
    for seed in range(40):
        study = bundled[seed % len(bundled)]
        yield f"odd {study.id} {seed}", _mangled(card.card_view(study), seed)


@pytest.fixture(scope="module")
def synthetic_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    synthetic.write(folder, 300, seed=17)
    return folder


@pytest.mark.parametrize("width", WIDTHS)
def test_the_plain_card_is_what_rich_prints(
    width: int, synthetic_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    written_plain = cards = wide = 0
    for name, view in _cards(synthetic_folder):
        renderable = card_terminal.render_card(view)
        fast = _printed(renderable, monkeypatch, rich_only=False)
        slow = _printed(renderable, monkeypatch, rich_only=True)
        assert fast == slow, name
        cards += 1
        wide += "日本語" in fast and "\\x1b" in fast
        written_plain += plain.plain_lines(renderable, Console(width=width)) is not None
    assert cards > 340
    assert wide >= 5  # the odd texts reached the output, escaped where they must be
    assert written_plain == cards  # every card was written without Rich's layout


def test_what_the_plain_writer_does_not_reproduce_goes_to_rich(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A boxed table, a string and a too-narrow padding are left to Rich, whose output is
    then printed as before."""
    console = Console(width=40)
    boxed = Table("a", "b")
    boxed.add_row("1", "2")
    assert plain.plain_lines(boxed, console) is None
    assert plain.plain_lines("a [b]markup[/b] string", console) is None
    assert plain.plain_lines(Text("two\nlines"), console) == ["two", "lines"]
    monkeypatch.setenv("COLUMNS", "40")
    assert _printed(boxed, monkeypatch, rich_only=False) == _printed(
        boxed, monkeypatch, rich_only=True
    )

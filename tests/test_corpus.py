"""Malformed-input corpus: whatever an evidence file holds, blinacli answers with a message.

Each case is built in ``tmp_path`` by a small builder (most start from the bundled
E1910 file and make one change, so lines and columns are computed from the edited
text) and is run through ``blinacli validate`` as a real process, the way a user or
a CI job runs it. Every case asserts the exact standard output (each finding line
and the summary line), the exit code (1, or 0 for the input that is accepted), an
empty standard error and no traceback.

The subprocess timeout (10 s) and the 1 GiB cap on the child's address space are
guards, not timing assertions: they turn a hang or a runaway allocation into a
failing test instead of a stuck or swapping test run. How fast and how lean each
case is answered (the 2-second budget) is measured by ``benchmarks/malformed.py``,
which reuses the builders below; no test asserts a timing.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
E1910 = (REPO / "evidence" / "e1910.yaml").read_text(encoding="utf-8")
FILE = "study.yaml"
BOM = b"\xef\xbb\xbf"
MIB = 1024 * 1024

MEMORY_LIMIT = 1024 * MIB
"""Address-space cap of each child process: a guard against runaway memory, not a target."""
TIMEOUT = 10
"""Seconds before a child is killed: a guard against hangs, not a timing assertion."""

VALID = "valid: 1 file checked: 1 study, all valid\n"
ONE_OF_ONE = "invalid: 1 problem in 1 of 1 file\n"
NOT_A_STUDY = (
    "expected a mapping of study fields, found {found} "
    "(an evidence file holds one study, starting with 'id:')"
)
NOT_UTF8 = "not valid UTF-8: byte 0x{byte:02x} cannot be decoded (save the file as UTF-8)"
TOO_DEEP = "nesting too deep to read: indentation beyond 1000 columns"


@dataclass(frozen=True)
class Expected:
    """What a built case must produce: the path given to the command and its answer."""

    target: str
    stdout: str
    exit_code: int = 1
    absent: tuple[str, ...] = ()
    """Files that must not exist after the run (proof that nothing was executed)."""


Builder = Callable[[Path], Expected]


# --- Running blinacli ---------------------------------------------------------------------


def limit_memory() -> None:
    """Cap the child's address space, so a runaway allocation fails instead of swapping."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def child_environment() -> dict[str, str]:
    """The environment of every run: no evidence path, no colour, 80 columns, UTF-8 output."""
    env = {k: v for k, v in os.environ.items() if k != "BLINACLI_EVIDENCE"}
    env.update(NO_COLOR="1", COLUMNS="80", PYTHONIOENCODING="utf-8")
    return env


def command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "blinacli", *args]


def run_blinacli(args: Sequence[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(args),
        cwd=folder,
        env=child_environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        preexec_fn=limit_memory,
    )


# --- Building cases -----------------------------------------------------------------------


def edited(old: str, new: str, text: str = E1910) -> str:
    """``text`` with the single occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def where(text: str, index: int) -> str:
    """``line:column`` (1-based) of the character at ``index``."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"


def at(text: str, fragment: str, offset: int = 0) -> str:
    """``line:column`` of the character ``offset`` into the only ``fragment`` in ``text``."""
    assert text.count(fragment) == 1, f"{fragment!r} occurs {text.count(fragment)} times"
    return where(text, text.index(fragment) + offset)


def write(folder: Path, name: str, content: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
    path.write_bytes(data)


def rejected(folder: Path, content: str | bytes, finding: str) -> Expected:
    """One file holding ``content``, answered with the one ``finding``."""
    write(folder, FILE, content)
    return Expected(FILE, f"{finding}\n{ONE_OF_ONE}")


def accepted(folder: Path, content: str | bytes) -> Expected:
    write(folder, FILE, content)
    return Expected(FILE, VALID, exit_code=0)


# Reading: syntax, tabs, duplicate keys, encodings, line endings.


def flow_sequence_syntax(folder: Path) -> Expected:
    text = edited("drugs: [blinatumomab]", "drugs: [blinatumomab}")
    message = "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)"
    return rejected(folder, text, f"{FILE}:{at(text, 'blinatumomab}', 12)}: {message}")


def unclosed_quote(folder: Path) -> Expected:
    # The quoted scalar runs on to the end of the file, where libyaml gives up; the
    # finding points where the quote opens, which is what the writer must fix.
    text = edited("acronym: E1910\n", "acronym: 'E1910\n")
    message = "invalid YAML: found unexpected end of stream (while scanning a quoted scalar)"
    quote = at(text, "'E1910")
    return rejected(folder, text, f"{FILE}:{quote}: {message}")


def tab_indentation(folder: Path) -> Expected:
    text = edited("  allocation: randomized\n", "\tallocation: randomized\n")
    message = (
        "invalid YAML: found a tab character that violates indentation "
        "(while scanning a plain scalar) (indent with spaces, not tabs)"
    )
    tab = at(text, "\tallocation")
    return rejected(folder, text, f"{FILE}:{tab}: {message}")


def duplicate_key(folder: Path) -> Expected:
    text = edited("  phase: 3\n", "  phase: 3\n  phase: 2\n")
    first_line = at(text, "phase: 3").split(":")[0]
    message = f"invalid YAML: found duplicate key 'phase' (first at line {first_line})"
    return rejected(folder, text, f"{FILE}:{at(text, 'phase: 2')}: {message}")


def two_documents(folder: Path) -> Expected:
    text = E1910 + "---\n" + E1910
    message = (
        "invalid YAML: the file holds more than one YAML document; an evidence file holds one study"
    )
    return rejected(folder, text, f"{FILE}:{at(text, '---')}: {message}")


def invalid_utf8_in_the_middle(folder: Path) -> Expected:
    # "\udcff" is how surrogateescape holds the raw byte 0xff inside a str.
    text = edited("acronym: E1910\n", "acronym: E19\udcff10\n")
    byte = at(text, "\udcff")
    return rejected(folder, text, f"{FILE}:{byte}: {NOT_UTF8.format(byte=0xFF)}")


def utf16_file(folder: Path) -> Expected:
    return rejected(folder, E1910.encode("utf-16"), f"{FILE}:1:1: {NOT_UTF8.format(byte=0xFF)}")


def byte_order_mark(folder: Path) -> Expected:
    return accepted(folder, BOM + E1910.encode("utf-8"))


def crlf_line_endings(folder: Path) -> Expected:
    return accepted(folder, E1910.replace("\n", "\r\n"))


def byte_order_mark_and_crlf(folder: Path) -> Expected:
    return accepted(folder, BOM + E1910.replace("\n", "\r\n").encode("utf-8"))


def nul_byte(folder: Path) -> Expected:
    """Valid UTF-8 that YAML refuses: a control character inside a value."""
    text = edited("acronym: E1910\n", "acronym: E19\x0010\n")
    message = (
        "invalid YAML: character U+0000 is not allowed "
        "(control characters cannot appear in YAML text)"
    )
    nul = at(text, "\x00")
    return rejected(folder, text, f"{FILE}:{nul}: {message}")


# Files that do not hold a study.


def empty_file(folder: Path) -> Expected:
    return rejected(folder, "", f"{FILE}:1:1: {NOT_A_STUDY.format(found='nothing (null)')}")


def whitespace_only(folder: Path) -> Expected:
    content = "   \n\n  \n"
    return rejected(folder, content, f"{FILE}:1:1: {NOT_A_STUDY.format(found='nothing (null)')}")


def comment_only(folder: Path) -> Expected:
    content = "# E1910, to be written\n"
    return rejected(folder, content, f"{FILE}:1:1: {NOT_A_STUDY.format(found='nothing (null)')}")


def top_level_list(folder: Path) -> Expected:
    content = "- id: e1910\n- id: blast\n"
    return rejected(folder, content, f"{FILE}:1:1: {NOT_A_STUDY.format(found='a list')}")


def top_level_scalar(folder: Path) -> Expected:
    return rejected(folder, "e1910\n", f"{FILE}:1:1: {NOT_A_STUDY.format(found=repr('e1910'))}")


# Anchors, aliases and merge keys.


def billion_laughs(folder: Path) -> Expected:
    """Nine levels of ten aliases each: 10**9 values from under 1 KB of text."""
    lines = ['lol: &lol "lol"']
    for level in range(1, 10):
        below = f"lol{level - 1}" if level > 1 else "lol"
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*{below}'] * 10)}]")
    text = "\n".join(lines) + "\n"
    # lol5 is where the running count first passes 100,000 (1 + 10 * 11,111 values).
    message = "lol5: the document holds more than 100,000 values, counting every use of an alias"
    return rejected(folder, text, f"{FILE}:{at(text, '&lol5')}: {message}")


def recursive_alias(folder: Path) -> Expected:
    text = edited("drugs: [blinatumomab]", "drugs: &drugs [blinatumomab, *drugs]")
    message = "drugs[1]: an alias refers to a value that contains it (a recursive alias)"
    return rejected(folder, text, f"{FILE}:{at(text, '&drugs')}: {message}")


def merge_keys(folder: Path) -> Expected:
    """The second arm takes the first's fields with ``<<`` and overrides all but its quote."""
    text = edited("    - id: blinatumomab\n", "    - &first-arm\n      id: blinatumomab\n", E1910)
    text = edited(
        "    - id: chemotherapy\n", "    - <<: *first-arm\n      id: chemotherapy\n", text
    )
    text = edited("alone\n      cite: *arms\n", "alone\n", text)
    return accepted(folder, text)


# Nesting and size.


def deep_flow_nesting(folder: Path) -> Expected:
    depth = 65
    text = edited("drugs: [blinatumomab]", "drugs: " + "[" * depth + "blinatumomab" + "]" * depth)
    message = "nesting deeper than 64 levels of [ ] or { }"
    return rejected(folder, text, f"{FILE}:{at(text, '[' * depth, depth - 1)}: {message}")


def deep_block_nesting(folder: Path) -> Expected:
    """1,500 nested lists, each entry indented one space more than its parent (1.1 MB)."""
    text = "id: e1910\nnotes:\n" + "".join(" " * level + "-\n" for level in range(1, 1501))
    # Reported at the first line indented beyond the limit: line 2 + 1001.
    return rejected(folder, text, f"{FILE}:1003:1: {TOO_DEEP}")


def very_deep_block_nesting(folder: Path) -> Expected:
    """100,000 nested lists written compactly as ``- - - ... x`` (200 KB)."""
    text = "id: e1910\nnotes:\n  " + "- " * 100_000 + "x\n"
    return rejected(folder, text, f"{FILE}:3:1: {TOO_DEEP}")


def multi_megabyte_line(folder: Path) -> Expected:
    title = "\ntitle: Blinatumomab for MRD-Negative Acute Lymphoblastic Leukemia in Adults\n"
    text = edited(title, "\ntitle: " + "x" * 3_000_000 + "\n")
    message = "title: expected at most 4000 characters, found 3000000"
    value = at(text, "\ntitle: ", len("\ntitle: "))
    return rejected(folder, text, f"{FILE}:{value}: {message}")


def padded(size: int) -> bytes:
    """The E1910 file followed by one comment line, ``size`` bytes in all."""
    head = E1910.encode("utf-8") + b"#"
    return head + b"x" * (size - len(head) - 1) + b"\n"


def over_size_limit(folder: Path) -> Expected:
    message = (
        "file is 6.0 MiB, over the 5 MiB limit for evidence files "
        "(one study per file; a study file is typically well under 1 MiB)"
    )
    return rejected(folder, padded(6 * MIB), f"{FILE}: {message}")


def at_size_limit(folder: Path) -> Expected:
    """Exactly 5 MiB is still read."""
    return accepted(folder, padded(5 * MIB))


# Numbers.


def number_case(old: str, value: str, path: str, message: str) -> Builder:
    def build(folder: Path) -> Expected:
        new = old.split(":")[0] + f": {value}\n"
        text = edited(old, new)
        return rejected(
            folder, text, f"{FILE}:{at(text, new, new.index(value))}: {path}: {message}"
        )

    return build


PERCENT = ("        percent: 85\n", "outcomes[0].results[0].percent")
ESTIMATE = ("      estimate: 0.41\n", "outcomes[0].comparison.estimate")
COUNT = ("      n: 488\n", "design.enrollment[0].n")


def finite(field: tuple[str, str], value: str, found: str) -> Builder:
    return number_case(field[0], value, field[1], f"expected a finite number, found {found}")


def too_many(written: str) -> Builder:
    """A count far above its bound; the value is shown cut to 57 digits and "..."."""

    def build(folder: Path) -> Expected:
        # The loader keeps integers of more than 50 digits as text, so they are
        # never converted (Python refuses beyond 4,300 digits) and say their size.
        digits = len(written) - (2 if written.startswith("0x") else 0)
        if digits > 50:
            message = f"expected a whole number, found an integer of {digits} digits"
        else:
            message = f"expected a whole number ≤ 1000000000, found {written}"
        return number_case(COUNT[0], written, COUNT[1], message)(folder)

    return build


# Types: values YAML reads as something other than text.


def date_as_text(folder: Path) -> Expected:
    text = edited('  date: "2024-07-25"', "  date: 2024-07-25")
    message = 'expected text, found 2024-07-25 (dates are text here: write "2024-07-25" in quotes)'
    return rejected(folder, text, f"{FILE}:{at(text, '2024-07-25')}: citation.date: {message}")


def boolean_as_text(folder: Path) -> Expected:
    text = edited("acronym: E1910\n", "acronym: yes\n")
    message = "acronym: expected text, found the boolean true"
    return rejected(folder, text, f"{FILE}:{at(text, 'yes')}: {message}")


# Tags that would build Python objects, and ids that are not slugs.


def python_tag(tag: str, argument: str) -> Builder:
    def build(folder: Path) -> Expected:
        value = f"{tag} {argument.format(folder=folder)}".rstrip()
        text = edited("acronym: E1910\n", f"acronym: {value}\n")
        full_tag = "tag:yaml.org,2002:" + tag.removeprefix("!!")
        message = f"invalid YAML: could not determine a constructor for the tag {full_tag!r}"
        expected = rejected(folder, text, f"{FILE}:{at(text, tag)}: {message}")
        return Expected(expected.target, expected.stdout, absent=("PWNED",))

    return build


def path_as_id(folder: Path) -> Expected:
    text = edited("id: e1910\n", "id: ../../x\n")
    message = (
        "id: expected an id of lower-case letters, digits and hyphens, starting with a "
        "letter or digit, found '../../x'"
    )
    return rejected(folder, text, f"{FILE}:{at(text, '../../x')}: {message}")


def same_id_in_two_files(folder: Path) -> Expected:
    write(folder, "evidence/a.yaml", E1910)
    write(folder, "evidence/b.yaml", edited("acronym: E1910\n", "acronym: E1910-COPY\n"))
    message = (
        "id: study id 'e1910' is already used by evidence/a.yaml (each study needs its own id)"
    )
    finding = f"evidence/b.yaml:{at(E1910, 'id: e1910', 4)}: {message}"
    return Expected("evidence", f"{finding}\ninvalid: 1 problem in 1 of 2 files\n")


# Binary garbage.


def random_bytes(folder: Path) -> Expected:
    data = random.Random(1910).randbytes(4096)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start
    else:  # pragma: no cover - the seed is fixed
        raise AssertionError("the seeded bytes happen to be UTF-8")
    prefix = data[:start].decode("utf-8")
    finding = f"{FILE}:{where(prefix, len(prefix))}: {NOT_UTF8.format(byte=data[start])}"
    return rejected(folder, data, finding)


def random_ascii(folder: Path) -> Expected:
    """Garbage that is valid UTF-8: seeded bytes below 0x80, control characters included."""
    data = bytes(random.Random(1910).randrange(0x80) for _ in range(4096))
    text = data.decode("ascii")
    first = next(i for i, c in enumerate(text) if c < " " and c not in "\t\n\r" or c == "\x7f")
    message = (
        f"invalid YAML: character U+{ord(text[first]):04X} is not allowed "
        "(control characters cannot appear in YAML text)"
    )
    return rejected(folder, data, f"{FILE}:{where(text, first)}: {message}")


def png_header(folder: Path) -> Expected:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    return rejected(folder, data, f"{FILE}:1:1: {NOT_UTF8.format(byte=0x89)}")


CASES = [
    pytest.param(flow_sequence_syntax, id="syntax-error-in-flow-sequence"),
    pytest.param(unclosed_quote, id="unclosed-quote"),
    pytest.param(tab_indentation, id="tab-indentation"),
    pytest.param(duplicate_key, id="duplicate-key"),
    pytest.param(two_documents, id="two-documents"),
    pytest.param(invalid_utf8_in_the_middle, id="invalid-utf8-in-the-middle"),
    pytest.param(utf16_file, id="utf16-file"),
    pytest.param(nul_byte, id="nul-byte"),
    pytest.param(byte_order_mark, id="byte-order-mark-accepted"),
    pytest.param(crlf_line_endings, id="crlf-accepted"),
    pytest.param(byte_order_mark_and_crlf, id="byte-order-mark-and-crlf-accepted"),
    pytest.param(empty_file, id="empty-file"),
    pytest.param(whitespace_only, id="whitespace-only"),
    pytest.param(comment_only, id="comment-only"),
    pytest.param(top_level_list, id="top-level-list"),
    pytest.param(top_level_scalar, id="top-level-scalar"),
    pytest.param(billion_laughs, id="billion-laughs"),
    pytest.param(recursive_alias, id="recursive-alias"),
    pytest.param(merge_keys, id="merge-keys-accepted"),
    pytest.param(deep_flow_nesting, id="deep-flow-nesting"),
    pytest.param(deep_block_nesting, id="deep-block-nesting"),
    pytest.param(very_deep_block_nesting, id="very-deep-block-nesting"),
    pytest.param(multi_megabyte_line, id="multi-megabyte-line"),
    pytest.param(over_size_limit, id="over-size-limit"),
    pytest.param(at_size_limit, id="at-size-limit-accepted"),
    pytest.param(finite(PERCENT, ".nan", "nan"), id="nan-percent"),
    pytest.param(finite(PERCENT, ".inf", "inf"), id="inf-percent"),
    pytest.param(finite(ESTIMATE, ".nan", "nan"), id="nan-estimate"),
    pytest.param(finite(ESTIMATE, ".inf", "inf"), id="inf-estimate"),
    pytest.param(finite(ESTIMATE, "-.inf", "-inf"), id="minus-inf-estimate"),
    pytest.param(too_many(str(10**30)), id="huge-integer-count"),
    pytest.param(too_many("1" * 5000), id="integer-of-5000-digits"),
    pytest.param(too_many("0x" + "f" * 4000), id="hex-integer-of-4817-digits"),
    pytest.param(date_as_text, id="date-where-text-belongs"),
    pytest.param(boolean_as_text, id="boolean-where-text-belongs"),
    pytest.param(
        python_tag("!!python/object/apply:os.system", '["touch {folder}/PWNED"]'),
        id="python-object-apply-tag",
    ),
    pytest.param(python_tag("!!python/name:os.system", ""), id="python-name-tag"),
    pytest.param(path_as_id, id="id-not-a-slug"),
    pytest.param(same_id_in_two_files, id="same-id-in-two-files"),
    pytest.param(random_bytes, id="random-bytes"),
    pytest.param(random_ascii, id="random-ascii-control-characters"),
    pytest.param(png_header, id="png-header"),
]


@pytest.mark.parametrize("build", CASES)
def test_validate_answers_with_a_message(build: Builder, tmp_path: Path) -> None:
    """`validate` prints each finding and the summary; exit 1 (0 when accepted), no traceback."""
    expected = build(tmp_path)
    result = run_blinacli(["validate", expected.target], tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    assert (result.stdout, result.stderr, result.returncode) == (
        expected.stdout,
        "",
        expected.exit_code,
    )
    for name in expected.absent:
        assert not (tmp_path / name).exists(), f"{name} was created: the tag was executed"


@pytest.mark.parametrize(
    ("args", "build"),
    [
        pytest.param(["show", "e1910"], duplicate_key, id="show-duplicate-key"),
        pytest.param(["show", "e1910"], over_size_limit, id="show-over-size-limit"),
        pytest.param(["list"], random_bytes, id="list-random-bytes"),
        pytest.param(["list"], top_level_list, id="list-top-level-list"),
        pytest.param(["digest"], billion_laughs, id="digest-billion-laughs"),
        pytest.param(["digest", "-o", "digest.md"], nul_byte, id="digest-nul-byte"),
    ],
)
def test_other_commands_refuse_the_evidence(
    args: list[str], build: Builder, tmp_path: Path
) -> None:
    """Commands that read evidence print the findings on stderr and exit 1, writing nothing."""
    expected = build(tmp_path)
    *findings, summary = expected.stdout.splitlines()
    message = f"error: the evidence in use is invalid: {summary.removeprefix('invalid: ')}"
    result = run_blinacli([*args, "--evidence", expected.target], tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    assert (result.stdout, result.stderr, result.returncode) == (
        "",
        "".join(f"{line}\n" for line in [*findings, message]),
        1,
    )
    assert not (tmp_path / "digest.md").exists()

"""The sandbox every template runs in, and the limits that keep a document bounded.

A user's template is code from outside the package, so beyond Jinja's immutable
sandbox (no Python internals, no mutation of what it is given) a render is held to
limits no real document comes near, and a template that reaches one stops with an
error naming its file and line:

- numbers: ``**``, ``*`` and ``+`` refuse to make an integer of more than
  MAX_INT_BITS bits (``10 ** (10 ** 8)`` would compute for minutes);
- repetition and joining: ``*`` and ``+`` refuse to make a text longer than the
  document may be, or a list of more than MAX_ITEMS items; ``range`` is Jinja's,
  at most 100,000 numbers;
- nesting: includes, extends, imports and macro calls may go DEPTH Python frames
  deeper than where rendering started, so a template that includes itself stops
  within milliseconds;
- the document: at most ``Limits.characters`` characters;
- time: ``Limits.seconds`` of processor time, kept by a timer on the main thread
  and checked between pieces of output on any thread (processor time, not the
  clock, so a busy machine does not fail a document that is merely slow there);
- memory: while rendering, the process may grow by ``Limits.memory`` bytes of
  address space (Linux); an allocation past that fails as MemoryError;
- template files: regular files of at most MAX_TEMPLATE_BYTES bytes of UTF-8.

The time, length and memory limits grow with what the template is given (measured
as the length of its JSON), so a digest of 10,000 studies renders while a template
looping over one study is stopped within seconds.
"""

from __future__ import annotations

import math
import os
import posixpath
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import islice
from types import FrameType
from typing import Any, NoReturn, cast

import jinja2
import msgspec
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

if sys.platform != "win32":
    import resource

MIB = 1024 * 1024

MAX_INT_BITS = 100_000
"""The largest integer an operator may make, in bits (about 30,000 decimal digits)."""
MAX_ITEMS = 1_000_000
"""The longest list ``*`` or ``+`` may make."""
MAX_TEMPLATE_BYTES = 4 * MIB
"""The largest template file read."""
DEPTH = 600
"""How many Python frames deeper than its start a render may go (templates nest a few
frames per include, extends or macro call; the built-in ones need about 100)."""

SECONDS = 2.0
"""Seconds of processor time any render may take, plus SECONDS_PER_MIB per MiB of context."""
SECONDS_PER_MIB = 10.0
CHARACTERS = 64 * MIB
"""Characters any document may have, plus CHARACTERS_PER_BYTE per byte of context."""
CHARACTERS_PER_BYTE = 8
MEMORY = 512 * MIB
"""Bytes of address space any render may add, plus MEMORY_PER_BYTE per byte of context."""
MEMORY_PER_BYTE = 16

_CHUNKS = 4096
"""Pieces of output taken at a time, at most; length and clock are checked per take."""
_BLOCK = MIB
"""Characters of output a take aims at."""


class TemplateLimit(SecurityError):
    """A template went past one of the sandbox's limits."""


class UnreadableTemplate(jinja2.TemplateRuntimeError):
    """A template file that cannot be read as a template (too large, not UTF-8, no access)."""


@dataclass(frozen=True)
class Limits:
    """How long a render may take, how long its document may be, how much memory it may add."""

    seconds: float
    characters: int
    memory: int

    @classmethod
    def for_context(cls, context: Mapping[str, Any]) -> Limits:
        """The limits of a render given ``context``: the base limits, grown by its size."""
        size = _size(context)
        return cls(
            seconds=SECONDS + SECONDS_PER_MIB * size / MIB,
            characters=CHARACTERS + CHARACTERS_PER_BYTE * size,
            memory=MEMORY + MEMORY_PER_BYTE * size,
        )


def _size(context: Mapping[str, Any]) -> int:
    """The length of ``context`` as JSON, a measure of how much a document will show."""
    try:
        return len(msgspec.json.encode(context, enc_hook=lambda obj: type(obj).__name__))
    except Exception:  # an estimate: what cannot be measured counts as nothing
        return 0


# --- The environment --------------------------------------------------------------------


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with bounded operators, remembering its verdict on each
    attribute.

    ``**``, ``*`` and ``+`` are checked before they run: a result too large to be
    useful in a document is refused instead of computed (a huge power is minutes of
    CPU in one step, which no timer can interrupt). Jinja's optimizer, which would
    evaluate constant expressions while compiling, is off: everything a template
    computes runs when it renders, within the limits. ``files`` are the template files
    read, so an error's traceback can be told apart into template lines and Python.

    The sandbox decides whether ``obj.attr`` is safe from the type of ``obj`` and the
    attribute's name alone (a leading underscore, the internals of functions, methods,
    classes, code, frames and generators, the mutating methods of lists, dicts and
    sets), so a verdict holds for every object of that type. A digest of 1,000 studies
    asks 300,000 times; remembering the answer made rendering several times faster.
    """

    intercepted_binops = frozenset({"**", "*", "+"})

    def __init__(self, limits: Limits, **options: Any) -> None:
        super().__init__(**options, optimized=False)
        self.limits = limits
        self.files: set[str] = set()
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        refuse_huge(operator, left, right, self.limits.characters)
        return super().call_binop(context, operator, left, right)


def refuse_huge(operator: str, left: Any, right: Any, characters: int) -> None:
    """Raise TemplateLimit when ``left operator right`` would make a result too large:
    an integer over MAX_INT_BITS bits, a text over ``characters`` characters, a list
    over MAX_ITEMS items."""
    if operator == "**":
        if _integer(left) and _integer(right) and right > 0 and abs(left) > 1:
            bits = right * math.log2(abs(left)) if right.bit_length() < 64 else math.inf
            if bits > MAX_INT_BITS:
                about = f"about {math.ceil(bits):,} bits" if bits < math.inf else "astronomical"
                raise TemplateLimit(
                    f"'**' would make a number of {about}; "
                    f"numbers in templates are limited to {MAX_INT_BITS:,} bits"
                )
    elif operator == "*":
        if _integer(left) and _integer(right):
            _integer_result("*", left.bit_length() + right.bit_length())
        elif _integer(right) and isinstance(left, (str, list, tuple)):
            _sequence_result("*", left, len(left) * right, characters)
        elif _integer(left) and isinstance(right, (str, list, tuple)):
            _sequence_result("*", right, len(right) * left, characters)
    elif operator == "+":
        if _integer(left) and _integer(right):
            _integer_result("+", max(left.bit_length(), right.bit_length()) + 1)
        elif isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _sequence_result("+", left, len(left) + len(right), characters)


def _integer(value: Any) -> bool:
    return isinstance(value, int)


def _integer_result(operator: str, bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise TemplateLimit(
            f"'{operator}' would make a number of about {bits:,} bits; "
            f"numbers in templates are limited to {MAX_INT_BITS:,} bits"
        )


def _sequence_result(operator: str, kind: object, length: int, characters: int) -> None:
    if isinstance(kind, str):
        if length > characters:
            raise TemplateLimit(
                f"'{operator}' would make a text of {length:,} characters; "
                f"a document about this evidence is limited to {characters:,}"
            )
    elif length > MAX_ITEMS:
        raise TemplateLimit(
            f"'{operator}' would make a list of {length:,} items; "
            f"lists in templates are limited to {MAX_ITEMS:,}"
        )


class TemplateFiles(jinja2.FileSystemLoader):
    """Template directories whose files are read within the sandbox's limits: a regular
    file of at most MAX_TEMPLATE_BYTES bytes of UTF-8, or an error naming the file."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for searchpath in self.searchpath:
            filename = os.path.normpath(posixpath.join(searchpath, *pieces))
            if os.path.isfile(filename):
                source = _read(filename)
                if isinstance(environment, Sandbox):
                    environment.files.add(filename)
                return source
        raise jinja2.TemplateNotFound(template)


def _read(filename: str) -> tuple[str, str, Callable[[], bool]]:
    try:
        with open(filename, "rb") as stream:
            data = stream.read(MAX_TEMPLATE_BYTES + 1)
            mtime = os.fstat(stream.fileno()).st_mtime
    except OSError as exc:
        raise UnreadableTemplate(f"cannot read {filename}: {exc.strerror or exc}") from exc
    if len(data) > MAX_TEMPLATE_BYTES:
        raise UnreadableTemplate(
            f"{filename} is larger than {MAX_TEMPLATE_BYTES:,} bytes, the limit for a template"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableTemplate(
            f"{filename} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from exc

    def uptodate() -> bool:
        try:
            return os.path.getmtime(filename) == mtime
        except OSError:
            return False

    return text, filename, uptodate


# --- Rendering within the limits --------------------------------------------------------


def too_long(limits: Limits) -> str:
    """The message of a render stopped by its time limit."""
    return (
        f"rendering used more than {limits.seconds:.1f} seconds of processor time, "
        "the limit for a document about this evidence"
    )


def too_much_memory(limits: Limits) -> str:
    """The message of a render that ran out of the memory it may take."""
    return (
        f"the template needed more memory than the {limits.memory / MIB:,.0f} MiB "
        "a document about this evidence may take"
    )


@contextmanager
def bounded(limits: Limits) -> Iterator[float]:
    """Run a render within ``limits``: a recursion limit DEPTH frames below here, the
    address-space cap and the timer. Yields the deadline, for ``collect``."""
    deadline = time.process_time() + limits.seconds
    with ExitStack() as stack:
        stack.enter_context(_depth(DEPTH))
        stack.enter_context(_memory(limits.memory))
        stack.enter_context(_timer(limits))  # entered last, so it stops first
        yield deadline


def collect(
    template: jinja2.Template, context: Mapping[str, Any], limits: Limits, deadline: float
) -> str:
    """Render ``template``, stopping it when the document grows past
    ``limits.characters`` or the clock passes ``deadline``.

    The output is taken _CHUNKS pieces at a time (a loop in C, as fast as Jinja's own
    ``render``), measured and timed between takes. A stop is thrown into the template
    where it is suspended, so the error carries the file and line it had reached.
    """
    stream = cast(Generator[str, None, None], template.generate(**context))
    blocks: list[str] = []
    length = 0
    take = 1
    try:
        while pieces := list(islice(stream, take)):
            block = "".join(pieces)
            length += len(block)
            if length > limits.characters:
                _stop(
                    stream,
                    f"the document would be longer than {limits.characters:,} characters, "
                    "the limit for a document about this evidence",
                )
            blocks.append(block)
            if time.process_time() > deadline:
                _stop(stream, too_long(limits))
            # takes grow from one piece, and large pieces are taken fewer at a time, so
            # a take stays near _BLOCK characters (the memory cap holds the rest)
            take = max(1, min(2 * take, _CHUNKS, _BLOCK * len(pieces) // (len(block) + 1)))
    finally:
        stream.close()
    return "".join(blocks)


def _stop(stream: Generator[str, None, None], message: str) -> NoReturn:
    stream.throw(TemplateLimit(message))
    raise TemplateLimit(message)  # the template went on after the stop: stop it here


@contextmanager
def _depth(frames: int) -> Iterator[None]:
    previous = sys.getrecursionlimit()
    wanted = _stack_depth() + frames
    if wanted < previous:
        sys.setrecursionlimit(wanted)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _stack_depth() -> int:
    frame: FrameType | None = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


@contextmanager
def _memory(budget: int) -> Iterator[None]:
    previous = _cap_address_space(budget)
    try:
        yield
    finally:
        if previous is not None and sys.platform != "win32":
            resource.setrlimit(resource.RLIMIT_AS, previous)


def _cap_address_space(budget: int) -> tuple[int, int] | None:
    """Cap the address space at its current size plus ``budget``; the limits to restore,
    or None where there is no cap to set (not Linux, or a tighter cap already)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = used + budget
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY and soft <= cap:
            return None
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, IndexError):
        return None
    return soft, hard


@contextmanager
def _timer(limits: Limits) -> Iterator[None]:
    """Raise TemplateLimit in the main thread when ``limits.seconds`` have passed, and
    again every quarter second in case Python code the template called swallowed it.
    The timer counts the processor time of the process (``ITIMER_PROF``).

    Not on other threads (signals reach only the main one), nor when another part of
    the program owns SIGPROF; ``collect`` still reads the time there."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGPROF) not in (signal.SIG_DFL, signal.SIG_IGN)
        or signal.getitimer(signal.ITIMER_PROF)[0] > 0
    ):
        yield
        return
    active = [True]

    def expired(signum: int, frame: FrameType | None) -> None:
        if active[0]:
            raise TemplateLimit(too_long(limits))

    previous = signal.signal(signal.SIGPROF, expired)
    try:
        signal.setitimer(signal.ITIMER_PROF, limits.seconds, 0.25)
        yield
    finally:
        while True:  # a stop arriving while the timer is put away is caught and ignored
            try:
                active[0] = False
                signal.setitimer(signal.ITIMER_PROF, 0)
                signal.signal(signal.SIGPROF, previous)
                break
            except TemplateLimit:
                continue

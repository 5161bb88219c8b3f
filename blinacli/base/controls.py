"""Text from outside, made safe to show: the one gate for what blinacli writes.

Evidence values and keys, file names, registry records and command-line values are
written to terminals, documents and spreadsheets. A title holding an escape sequence
must not retitle a terminal or fake colours; a right-to-left override must not
reorder what a reader sees; a zero-width character must not hide inside a quote; a
cell must not run as a spreadsheet formula. :func:`visible` makes the hidden
characters visible as escapes (``\\x1b``, ``\\u202e``), :func:`escape_json` writes
them as JSON's own escapes (so JSON still reads back exactly), and
:func:`spreadsheet_cell` makes a CSV cell safe to open in a spreadsheet.

The hidden characters are those of Unicode's categories Cc, Cf, Cs, Zl and Zp: every
control character but tab and line feed (C0, DEL and C1, such as ESC, BEL, the
carriage return and CSI), every format character (the bidirectional embeddings,
overrides, isolates and marks U+202A-U+202E, U+2066-U+2069, U+200E, U+200F and
U+061C; the zero-width space, non-joiner and joiner; the word joiner; the soft
hyphen; the byte-order mark; the tag characters), the line and paragraph
separators and lone surrogates, and the code points these blocks keep for future
format characters. Other characters are text, even where a font draws them as
nothing (variation selectors, as in the emoji ❤️, and Hangul fillers): they are
part of ordinary writing and neither reorder nor control anything.
``tests/test_escapes.py`` checks the table below against the Unicode database of
the Python running the tests.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

# Inclusive ranges of code points (Unicode 15.1), tab and line feed apart.
_HIDDEN_BMP = (
    "\x00-\x08\x0b-\x1f"  # C0 controls: BEL, backspace, carriage return, ESC...
    "\x7f-\x9f"  # DEL and the C1 controls (NEL, CSI U+009B, OSC U+009D)
    "\xad"  # soft hyphen
    "\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"  # Arabic and Syriac formats, ALM
    "\u180e"  # Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; LRM, RLM
    "\u2028-\u202e"  # line and paragraph separators; bidi embeddings and overrides
    "\u2060-\u206f"  # word joiner, invisible operators, bidi isolates, deprecated formats
    "\ud800-\udfff"  # surrogates, which no UTF-8 text can hold alone
    "\ufeff"  # zero-width no-break space (byte-order mark)
    "\ufff0-\ufffb"  # interlinear annotation, and the code points kept beside it
)
_HIDDEN_ASTRAL = (
    "\U000110bd\U000110cd"  # Kaithi number signs
    "\U00013430-\U0001343f"  # Egyptian hieroglyph format controls
    "\U0001bca0-\U0001bca3"  # shorthand format controls
    "\U0001d173-\U0001d17a"  # musical symbol format controls
    "\U000e0000-\U000e007f"  # language tag and tag characters
)
_HIDDEN_ASCII = "\x00-\x08\x0b-\x1f\x7f"


@functools.cache
def _pattern(ranges: str) -> re.Pattern[str]:
    # Compiled when first needed, not at start-up: the Basic Multilingual Plane's class
    # takes about a millisecond to compile, and most runs never meet a text that needs it.
    return re.compile(f"[{ranges}]")


def _replace_hidden(text: str, escape: Callable[[re.Match[str]], str]) -> str:
    if text.isascii():
        return _pattern(_HIDDEN_ASCII).sub(escape, text)
    # Two classes, because the regular expression engine tests characters of the Basic
    # Multilingual Plane against a table, and those beyond it one range at a time.
    text = _pattern(_HIDDEN_BMP).sub(escape, text)
    # Each character beyond U+FFFF takes two UTF-16 code units: a quick way to know
    # whether the text holds any, and so whether the second, slower pass is needed.
    if len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text):
        text = _pattern(_HIDDEN_ASTRAL).sub(escape, text)
    return text


def _python_escape(match: re.Match[str]) -> str:
    # Python's own notation: \x1b, \r, \u202e, \U000e0041.
    return match.group().encode("unicode_escape").decode("ascii")


def visible(value: str) -> str:
    """``value`` with every hidden character (see the module's docstring) replaced by a
    visible escape such as ``\\x1b`` or ``\\u202e``; tab and line feed are kept.

    Applying it twice changes nothing more. A backslash is not escaped, so a text that
    spells ``\\x1b`` itself reads the same as an ESC made visible: JSON is the exact form.
    """
    if value.isprintable():
        return value  # the common case: no hidden character is printable
    return _replace_hidden(value, _python_escape)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond U+FFFF as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_json(text: str) -> str:
    """JSON text with every hidden character written as a ``\\u`` escape.

    Outside its strings, JSON text holds only ASCII punctuation, letters, digits and
    white space, so each hidden character is inside a string, where its escape means
    the same character: the text decodes to exactly the same data. Line feeds between
    values (an indented text) are kept.
    """
    return _replace_hidden(text, _json_escape)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


def spreadsheet_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: hidden characters made visible, and a
    cell that would start a formula (``=``, ``+``, ``-``, ``@``, tab or carriage return
    first) prefixed with a single quote, as OWASP advises. A cell that is just a number
    (``-0.5``, ``+3``, ``1e-3``) is left as it is: a spreadsheet reads it as that
    number, never as a formula."""
    cell = visible(value)
    if cell.startswith(_FORMULA_START) and not re.fullmatch(_NUMBER, cell):
        return "'" + cell
    return cell

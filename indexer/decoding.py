"""Corpus bytes → numbered lines: each line decoded as UTF-8 on its own, and what the bytes look like.

A line that is not UTF-8 (or holds a NUL byte) is kept with its reason, so
only the block holding it is rejected; a whole file that looks binary, or in a
single-byte encoding, is told apart here from a text file with a stray bad byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_PROBE = 8192
# Share of control bytes (NUL included) in the probe above which a file with
# NUL bytes is binary; below it, the NULs are accidents in a text file and
# only the blocks holding them are rejected.
_BINARY_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")


@dataclass
class _Line:
    number: int
    text: str
    error: str = ""
    bad_byte: int = -1
    bad_column: int = 0



def _decode_line(number: int, raw: bytes) -> _Line:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte, column = raw[exc.start], exc.start + 1
        return _Line(number, raw.decode("utf-8", errors="replace").rstrip(),
                     f"texte non UTF-8 (octet 0x{byte:02X} en colonne {column}) ; "
                     "convertissez le fichier en UTF-8", byte, column)
    nul = text.find("\x00")
    if nul >= 0:
        return _Line(number, text.replace("\x00", "\ufffd").rstrip(),
                     f"caractère nul (octet 0x00 en colonne {raw.index(0) + 1})", 0, nul + 1)
    return _Line(number, text.rstrip())


def decode_lines(data: bytes) -> list[_Line]:
    """Split bytes into numbered lines, decoding each as UTF-8 on its own.

    A line that is not UTF-8 is kept (with replacement characters) and carries
    the reason, so that only the block holding it is rejected.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    lines = [_decode_line(number, raw) for number, raw in enumerate(_LINE_BREAK.split(data), start=1)]
    if lines and lines[-1].text == "" and not lines[-1].error:
        lines.pop()
    return lines


def _looks_single_byte(lines: list[_Line]) -> bool:
    """Not UTF-8 anywhere: no line with accents decodes, some fail (a Latin-1 / Windows-1252 export)."""
    failed = any(line.error and line.bad_byte > 0 for line in lines)
    return failed and not any(not line.error and not line.text.isascii() for line in lines)


def _looks_binary(probe: bytes) -> bool:
    """NUL bytes among many control bytes: an image or an archive, not a text export with a stray NUL."""
    if b"\x00" not in probe:
        return False
    controls = sum(1 for byte in probe if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls > _BINARY_CONTROL_SHARE * len(probe)

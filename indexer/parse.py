"""Corpus text → `Fiche` records, with every rejected block reported as `file:line: reason`.

Format: an optional header table (`Nom | Département | Année`), then one block
per action opened by a line `Actions`, the title on the next line, then fields
opened by known `- Label` lines. Any other `- ` line is content of the current
field: the free text is full of bullets.

A bare `Actions` line inside a free-text field is read as a sub-heading of
that text, not as a new block, when what follows does not look like the start
of a fiche (a title, then `- Structure organisatrice` or a label the current
fiche already had). Everywhere else `Actions` opens a block.

Nothing is dropped silently: every block either becomes a fiche or is counted
in a problem's `rejected`, so `len(fiches) + rejected == blocks`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from unidecode import unidecode

from .blocks import TITLE_LINES, _Block
from .config import DEFAULT_MAX_FILE_BYTES
from .decoding import _BINARY_PROBE, _UTF8_BOM, _UTF16_BOMS, _Line, _looks_binary, _looks_single_byte, decode_lines
from .errors import describe_os_error
from .fiche import REQUIRED_FIELDS, SPECS_BY_NAME, Fiche
from .markup import (BLOCK_MARKER, PARTNERS_SUBHEADING, _HeaderIndex, is_marker_text, is_structural_line,
                     is_table_rule, normalize_label, parse_header)
from .source import FileTooLarge, SourceRejected, read_regular_file

# The format's line primitives live in `indexer/markup.py`; they are re-exported
# here because callers have always imported them from the parser.
__all__ = ["BINARY_FILE", "BLOCK_MARKER", "EMPTY_FILE", "ENCODING", "FILE_LEVEL_CODES", "HEADER_ENCODING",
           "INCOMPLETE", "NOT_REGULAR", "NO_BLOCK", "NO_FILES", "PARTNERS_SUBHEADING", "TOO_LARGE", "UNREADABLE",
           "UNTITLED", "ParseProblem", "ParseResult", "corpus_files", "department_from_structure", "fiche_id",
           "finish_block", "identity_key", "is_structural_line", "is_table_rule", "normalize_label",
           "parse_bytes", "parse_corpus", "parse_file", "parse_text", "quote_for_message", "slugify"]

_TITLE_IN_MESSAGE = 80
_LISTED_MISSING = 3

# Problem codes. File-level problems reject a whole file (no block counted);
# block-level ones reject `rejected` blocks.
EMPTY_FILE = "empty-file"
BINARY_FILE = "binary-file"
NO_BLOCK = "no-block"
UNREADABLE = "unreadable"
NO_FILES = "no-files"
NOT_REGULAR = "not-regular"
TOO_LARGE = "too-large"
HEADER_ENCODING = "header-encoding"
ENCODING = "encoding"
UNTITLED = "untitled"
INCOMPLETE = "incomplete"
FILE_LEVEL_CODES = frozenset({EMPTY_FILE, BINARY_FILE, NO_BLOCK, UNREADABLE, NO_FILES, NOT_REGULAR, TOO_LARGE})


@dataclass(frozen=True)
class ParseProblem:
    """A located reason why part of the input was not turned into a fiche.

    `rejected` is the number of fiche blocks this problem rejects (0 for a
    problem about a whole file or about the header table).
    """

    path: str
    line: int
    reason: str
    code: str = ""
    rejected: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class ParseResult:
    fiches: list[Fiche] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    blocks: int = 0

    def extend(self, other: ParseResult) -> None:
        self.fiches.extend(other.fiches)
        self.problems.extend(other.problems)
        self.blocks += other.blocks

    @property
    def rejected(self) -> int:
        """Fiche blocks found but not turned into fiches."""
        return sum(problem.rejected for problem in self.problems)

    @property
    def ignored_files(self) -> int:
        return sum(1 for problem in self.problems if problem.code in FILE_LEVEL_CODES)

    def summary(self, verb: str = "indexées") -> str:
        """`N indexées, M rejetées`, plus the files ignored as a whole if any."""
        text = f"{len(self.fiches)} {verb}, {self.rejected} rejetées"
        if self.ignored_files:
            text += f", {self.ignored_files} fichier(s) ignoré(s)"
        return text


def slugify(text: str, max_length: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or "action"


def identity_key(text: str) -> str:
    """What identifies a title or a structure: its letters and digits, without case, accents, punctuation or spaces."""
    return re.sub(r"[^a-z0-9]+", "", unidecode(text).lower())


def fiche_id(title: str, structure: str, occurrence: int) -> str:
    """Stable id: readable slug plus a hash of what identifies the action.

    The hash is of the identity keys, so a title whose case, accents,
    punctuation or spacing change keeps its id (and its URL). `occurrence`
    separates two fiches with the same title and structure (by those keys).
    """
    key = f"{identity_key(title)}\n{identity_key(structure)}\n{occurrence}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    return f"{slugify(title)}-{digest}"


def quote_for_message(text: str, limit: int = _TITLE_IN_MESSAGE) -> str:
    """Corpus text made safe and short for a one-line terminal message."""
    text = " ".join(text.split())
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def department_from_structure(structure: str) -> str:
    head, sep, tail = structure.rpartition(" - ")
    return tail.strip() if sep and head.strip() else ""


def _missing_message(labels: list[str], truncated: bool) -> str:
    count = len(labels)
    noun = "rubrique manquante" if count == 1 else "rubriques manquantes"
    listed = ", ".join(f"« {label} »" for label in labels[:_LISTED_MISSING])
    more = ", …" if count > _LISTED_MISSING else ""
    hint = " (fichier tronqué ?)" if truncated else ""
    return f"incomplète{hint} : {count} {noun} : {listed}{more}"


def finish_block(block: _Block, path: str, header: _HeaderIndex, occurrences: Counter,
                 last: bool) -> tuple[Fiche | None, ParseProblem | None]:
    if block.title_line is None or block.untitled:
        return None, ParseProblem(path, block.start, "bloc « Actions » sans titre", UNTITLED, 1)
    title, title_line = block.title, block.title_line
    shown = quote_for_message(title)
    if block.bad is not None:
        return None, ParseProblem(path, block.bad.number,
                                  f"{block.bad.error} ; fiche « {shown} » rejetée", ENCODING, 1)
    missing = [SPECS_BY_NAME[name].label for name in REQUIRED_FIELDS if name not in block.collector.values]
    if missing:
        return None, ParseProblem(path, title_line.number,
                                  f"fiche « {shown} » {_missing_message(missing, last)}", INCOMPLETE, 1)
    fiche = Fiche(id="", title=title, source_file=path, source_line=title_line.number)
    block.collector.build(fiche)
    located = header.take(title)
    if located:
        fiche.department, fiche.year = located
    if not fiche.department:
        fiche.department = department_from_structure(fiche.structure)
    key = (identity_key(fiche.title), identity_key(fiche.structure))
    fiche.id = fiche_id(fiche.title, fiche.structure, occurrences[key])
    occurrences[key] += 1
    return fiche, None


def _collapse_untitled(problems: list[tuple[int, ParseProblem]]) -> list[ParseProblem]:
    """Runs of consecutive untitled blocks become one message instead of thousands.

    `problems` pairs each problem with the position of its block in the file.
    """
    collapsed: list[ParseProblem] = []
    run: list[ParseProblem] = []
    last_position = -2

    def flush() -> None:
        if len(run) > 3:
            collapsed.append(ParseProblem(
                run[0].path, run[0].line,
                f"{len(run)} blocs « Actions » sans titre (lignes {run[0].line} à {run[-1].line})",
                UNTITLED, len(run)))
        else:
            collapsed.extend(run)
        run.clear()

    for position, problem in problems:
        if problem.code != UNTITLED or position != last_position + 1:
            flush()
        if problem.code == UNTITLED:
            run.append(problem)
        else:
            collapsed.append(problem)
        last_position = position
    flush()
    return collapsed


def _next_nonblank(lines: list[_Line], start: int, count: int) -> list[_Line]:
    found: list[_Line] = []
    index = start
    while index < len(lines) and len(found) < count:
        if lines[index].text.strip():
            found.append(lines[index])
        index += 1
    return found


def _split_and_parse(lines: list[_Line], first_marker: int, path: str, header: _HeaderIndex,
                     occurrences: Counter) -> tuple[list[Fiche], list[ParseProblem], int]:
    blocks: list[_Block] = []
    for index in range(first_marker, len(lines)):
        line = lines[index]
        if is_marker_text(line.text) and (
                not blocks or not blocks[-1].collector.in_text()
                or blocks[-1].starts_new_block(_next_nonblank(lines, index + 1, TITLE_LINES + 1))):
            blocks.append(_Block(line.number))
        else:
            blocks[-1].feed(line)
    fiches, problems = [], []
    for position, block in enumerate(blocks):
        fiche, problem = finish_block(block, path, header, occurrences, last=position == len(blocks) - 1)
        if fiche is not None:
            fiches.append(fiche)
        if problem is not None:
            problems.append((position, problem))
    return fiches, _collapse_untitled(problems), len(blocks)


def _single_byte_problem(path: str, lines: list[_Line], problems: list[ParseProblem],
                         blocks: int) -> list[ParseProblem]:
    """One message for a file in a single-byte encoding, instead of one per line and block."""
    encoding = [p for p in problems if p.code in (ENCODING, HEADER_ENCODING)]
    if not encoding:
        return problems
    first = next(line for line in lines if line.error and line.bad_byte > 0)
    rejected = sum(p.rejected for p in encoding)
    reason = (f"fichier non UTF-8, probablement en Latin-1 / Windows-1252 (octet 0x{first.bad_byte:02X} "
              f"en colonne {first.bad_column}) : {rejected} fiche(s) rejetée(s) sur {blocks} ; "
              "convertissez-le en UTF-8, par exemple avec « iconv -f WINDOWS-1252 -t UTF-8 »")
    others = [p for p in problems if p.code not in (ENCODING, HEADER_ENCODING)]
    return [ParseProblem(path, first.number, reason, ENCODING, rejected), *others]


def _file_problem(data: bytes, path: str) -> ParseProblem | None:
    if not data.strip(_UTF8_BOM + b" \t\r\n"):
        return ParseProblem(path, 1, "fichier vide", EMPTY_FILE)
    if data.startswith(_UTF16_BOMS):
        return ParseProblem(path, 1, "fichier en UTF-16 : enregistrez-le en UTF-8", BINARY_FILE)
    if _looks_binary(data[:_BINARY_PROBE]):
        return ParseProblem(path, 1, "fichier binaire (octets nuls) : ce n'est pas un export texte", BINARY_FILE)
    return None


def parse_bytes(data: bytes, path: str, occurrences: Counter | None = None) -> ParseResult:
    occurrences = Counter() if occurrences is None else occurrences
    problem = _file_problem(data, path)
    if problem is not None:
        return ParseResult(problems=[problem])
    lines = decode_lines(data)
    first_marker = next((i for i, line in enumerate(lines) if is_marker_text(line.text)), None)
    if first_marker is None:
        return ParseResult(problems=[ParseProblem(
            path, 1, "aucune ligne « Actions » : aucune fiche trouvée", NO_BLOCK)])
    preamble = lines[:first_marker]
    problems = [ParseProblem(path, line.number, f"{line.error} ; ligne d'en-tête ignorée", HEADER_ENCODING)
                for line in preamble if line.error]
    header = _HeaderIndex(parse_header(preamble))
    fiches, block_problems, blocks = _split_and_parse(lines, first_marker, path, header, occurrences)
    problems.extend(block_problems)
    if _looks_single_byte(lines):
        problems = _single_byte_problem(path, lines, problems, blocks)
    return ParseResult(fiches, problems, blocks)


def parse_text(text: str, path: str = "<texte>") -> ParseResult:
    return parse_bytes(text.encode("utf-8", errors="surrogatepass"), path)


def parse_file(path: Path, occurrences: Counter | None = None,
               max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ParseResult:
    """One corpus file; a special file (FIFO, device, folder) or one above `max_bytes` is not read."""
    try:
        data = read_regular_file(Path(path), max_bytes)
    except SourceRejected as exc:
        code = TOO_LARGE if isinstance(exc, FileTooLarge) else NOT_REGULAR
        return ParseResult(problems=[ParseProblem(str(path), 0, str(exc), code)])
    except OSError as exc:
        reason = f"lecture impossible : {describe_os_error(exc, with_path=False)}"
        return ParseResult(problems=[ParseProblem(str(path), 0, reason, UNREADABLE)])
    return parse_bytes(data, str(path), occurrences)


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(Path(corpus_dir).glob("*.txt"))


def parse_corpus(corpus_dir: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ParseResult:
    """Every `*.txt` file of the folder (or the one file given), in name order.

    Ids depend on that order only for exact duplicates (same title and structure).
    """
    corpus_dir = Path(corpus_dir)
    result = ParseResult()
    files = [corpus_dir] if corpus_dir.is_file() else corpus_files(corpus_dir)
    if not files:
        reason = ("dossier du corpus introuvable" if not corpus_dir.exists()
                  else "aucun fichier .txt dans le dossier du corpus")
        result.problems.append(ParseProblem(str(corpus_dir), 0, reason, NO_FILES))
    occurrences: Counter = Counter()
    for path in files:
        result.extend(parse_file(path, occurrences, max_bytes))
    return result

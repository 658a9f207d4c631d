"""Corpus text → `Fiche` records, with every rejected block reported as `file:line: reason`.

Format: an optional header table (`Nom | Département | Année`), then one block
per action opened by a line `Actions`, the title on the next line, then fields
opened by known `- Label` lines. Any other `- ` line is content of the current
field: the free text is full of bullets.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from unidecode import unidecode

from .fiche import FIELD_SPECS, REQUIRED_FIELDS, SPECS_BY_NAME, Fiche, FieldSpec

BLOCK_MARKER = "actions"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ParseProblem:
    """A located reason why part of the input was not turned into a fiche."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class ParseResult:
    fiches: list[Fiche] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)

    def extend(self, other: ParseResult) -> None:
        self.fiches.extend(other.fiches)
        self.problems.extend(other.problems)


@dataclass
class _Line:
    number: int
    text: str
    decode_error: str = ""


@dataclass
class _Block:
    start: int
    lines: list[_Line]


def normalize_label(text: str) -> str:
    """Key under which a label is recognised: accents, case, spaces and apostrophe styles ignored."""
    return re.sub(r"\s+", "", unidecode(text.replace("’", "'")).lower())


def _label_key(spec: FieldSpec) -> str:
    return normalize_label(spec.label)


PARTNERS_SUBHEADING = normalize_label("Partenaires d'action:")

LABELS: dict[str, list[FieldSpec]] = {}
for _spec in FIELD_SPECS:
    LABELS.setdefault(_label_key(_spec), []).append(_spec)


def slugify(text: str, max_length: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or "action"


def fiche_id(title: str, structure: str, occurrence: int) -> str:
    """Stable id: readable slug plus a hash of what identifies the action.

    `occurrence` separates two fiches with the same title and structure.
    """
    digest = hashlib.sha1(f"{title}\n{structure}\n{occurrence}".encode()).hexdigest()[:8]
    return f"{slugify(title)}-{digest}"


def decode_lines(data: bytes) -> list[_Line]:
    """Split bytes into numbered lines, decoding each as UTF-8 on its own.

    A line that is not UTF-8 is kept (with replacement characters) and carries
    the reason, so that only the block holding it is rejected.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    lines = []
    for number, raw in enumerate(_LINE_BREAK.split(data), start=1):
        try:
            text, error = raw.decode("utf-8"), ""
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="replace")
            error = (f"texte non UTF-8 (octet 0x{raw[exc.start]:02X} en colonne {exc.start + 1}) ; "
                     "convertissez le fichier en UTF-8")
        lines.append(_Line(number, text.rstrip(), error))
    if lines and lines[-1].text == "" and not lines[-1].decode_error:
        lines.pop()
    return lines


def _is_marker(line: _Line) -> bool:
    return line.text.strip().lower() == BLOCK_MARKER


def _label_of(text: str) -> list[FieldSpec] | None:
    stripped = text.strip()
    if not stripped.startswith("-"):
        return None
    return LABELS.get(normalize_label(stripped[1:]))


def _split_header_row(text: str) -> tuple[str, str, str] | None:
    row = text.strip()
    if row.endswith("|"):
        row = row[:-1]
    parts = row.rsplit("|", 2)
    if len(parts) != 3:
        return None
    name, department, year = (part.strip() for part in parts)
    return name, department, year


def parse_header(lines: list[_Line]) -> list[tuple[str, str, str]]:
    """Rows of the optional `Nom | Département | Année` table."""
    rows: list[tuple[str, str, str]] = []
    in_table = False
    for line in lines:
        if not in_table:
            in_table = normalize_label(line.text).startswith("nom|departement|annee")
            continue
        if re.fullmatch(r"[\s|:-]*", line.text):
            continue
        row = _split_header_row(line.text)
        if row is None:
            break
        rows.append(row)
    return rows


def split_blocks(lines: list[_Line]) -> tuple[list[_Line], list[_Block]]:
    """Lines before the first `Actions` marker, and one block per marker."""
    preamble: list[_Line] = []
    blocks: list[_Block] = []
    for line in lines:
        if _is_marker(line):
            blocks.append(_Block(line.number, []))
        elif blocks:
            blocks[-1].lines.append(line)
        else:
            preamble.append(line)
    return preamble, blocks


class _FieldCollector:
    """Accumulates the values of one block's fields as label lines open them."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.current: FieldSpec | None = None

    def open(self, candidates: list[FieldSpec]) -> None:
        spec = next((c for c in candidates if c.name not in self.values), candidates[-1])
        self.current = spec
        self.values.setdefault(spec.name, [])

    def add(self, text: str) -> None:
        assert self.current is not None
        spec, bucket = self.current, self.values[self.current.name]
        if spec.kind == "text":
            bucket.append(text)
            return
        item = text.strip()
        if item.startswith("-"):
            item = item[1:].strip()
        if item and normalize_label(item) != PARTNERS_SUBHEADING:
            bucket.append(item)

    def build(self, fiche: Fiche) -> None:
        for name, bucket in self.values.items():
            kind = SPECS_BY_NAME[name].kind
            if kind == "list":
                setattr(fiche, name, list(dict.fromkeys(bucket)))
            elif kind == "option":
                setattr(fiche, name, " ; ".join(bucket))
            else:
                setattr(fiche, name, "\n".join(bucket).strip("\n"))


def _department_from_structure(structure: str) -> str:
    head, sep, tail = structure.rpartition(" - ")
    return tail.strip() if sep and head.strip() else ""


class _HeaderIndex:
    """Hands out header rows by title, in order, so duplicate titles each get theirs."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.rows = rows
        self.used = [False] * len(rows)

    def take(self, title: str) -> tuple[str, str] | None:
        key = normalize_label(title)
        for i, (name, department, year) in enumerate(self.rows):
            if not self.used[i] and normalize_label(name) == key:
                self.used[i] = True
                return department, year
        return None


def parse_block(block: _Block, path: str, header: _HeaderIndex,
                occurrences: Counter) -> tuple[Fiche | None, ParseProblem | None]:
    lines = block.lines
    while lines and not lines[0].text.strip():
        lines = lines[1:]
    if not lines or _label_of(lines[0].text):
        return None, ParseProblem(path, block.start, "bloc « Actions » sans titre")
    bad = next((line for line in lines if line.decode_error), None)
    title_line, title_parts = lines[0], [lines[0].text.strip()]
    collector = _FieldCollector()
    for line in lines[1:]:
        specs = _label_of(line.text)
        if specs:
            collector.open(specs)
        elif collector.current is None:
            if line.text.strip():
                title_parts.append(line.text.strip())
        else:
            collector.add(line.text)
    title = " ".join(title_parts)
    if bad is not None:
        return None, ParseProblem(path, bad.number, f"{bad.decode_error} ; fiche « {title} » rejetée")
    missing = [SPECS_BY_NAME[name].label for name in REQUIRED_FIELDS if name not in collector.values]
    if missing:
        return None, ParseProblem(
            path, title_line.number,
            f"fiche « {title} » incomplète (fichier tronqué ?) : rubrique(s) manquante(s) : "
            + ", ".join(missing))
    fiche = Fiche(id="", title=title, source_file=path, source_line=title_line.number)
    collector.build(fiche)
    located = header.take(title)
    if located:
        fiche.department, fiche.year = located
    if not fiche.department:
        fiche.department = _department_from_structure(fiche.structure)
    key = (fiche.title, fiche.structure)
    fiche.id = fiche_id(fiche.title, fiche.structure, occurrences[key])
    occurrences[key] += 1
    return fiche, None


def _collapse_untitled(problems: list[ParseProblem]) -> list[ParseProblem]:
    """Runs of consecutive untitled blocks become one message instead of thousands."""
    collapsed: list[ParseProblem] = []
    run: list[ParseProblem] = []

    def flush() -> None:
        if len(run) > 3:
            collapsed.append(ParseProblem(
                run[0].path, run[0].line,
                f"{len(run)} blocs « Actions » sans titre (lignes {run[0].line} à {run[-1].line})"))
        else:
            collapsed.extend(run)
        run.clear()

    for problem in problems:
        if problem.reason == "bloc « Actions » sans titre" and (not run or problem.line - run[-1].line <= 2):
            run.append(problem)
            continue
        flush()
        if problem.reason == "bloc « Actions » sans titre":
            run.append(problem)
        else:
            collapsed.append(problem)
    flush()
    return collapsed


def parse_bytes(data: bytes, path: str, occurrences: Counter | None = None) -> ParseResult:
    occurrences = Counter() if occurrences is None else occurrences
    result = ParseResult()
    if not data.strip(_UTF8_BOM + b" \t\r\n"):
        result.problems.append(ParseProblem(path, 1, "fichier vide"))
        return result
    if b"\x00" in data[:8192]:
        result.problems.append(ParseProblem(path, 1, "fichier binaire (octets nuls) : ce n'est pas un export texte"))
        return result
    preamble, blocks = split_blocks(decode_lines(data))
    if not blocks:
        result.problems.append(ParseProblem(path, 1, "aucune ligne « Actions » : aucune fiche trouvée"))
        return result
    result.problems.extend(ParseProblem(path, line.number, line.decode_error)
                           for line in preamble if line.decode_error)
    header = _HeaderIndex(parse_header(preamble))
    problems = []
    for block in blocks:
        fiche, problem = parse_block(block, path, header, occurrences)
        if fiche is not None:
            result.fiches.append(fiche)
        if problem is not None:
            problems.append(problem)
    result.problems.extend(_collapse_untitled(problems))
    return result


def parse_text(text: str, path: str = "<texte>") -> ParseResult:
    return parse_bytes(text.encode("utf-8", errors="surrogatepass"), path)


def parse_file(path: Path, occurrences: Counter | None = None) -> ParseResult:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ParseResult(problems=[ParseProblem(str(path), 0, f"lecture impossible : {exc.strerror}")])
    return parse_bytes(data, str(path), occurrences)


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(Path(corpus_dir).glob("*.txt"))


def parse_corpus(corpus_dir: Path) -> ParseResult:
    """Every `*.txt` file of the folder, in name order (ids depend on that order only for exact duplicates)."""
    result = ParseResult()
    files = corpus_files(corpus_dir)
    if not files:
        result.problems.append(ParseProblem(str(corpus_dir), 0, "aucun fichier .txt dans le dossier du corpus"))
    occurrences: Counter = Counter()
    for path in files:
        result.extend(parse_file(path, occurrences))
    return result

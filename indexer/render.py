"""`Fiche` → corpus text, the inverse of the parser (used to prove the round trip and to write corpora).

`parse_text(render_corpus(fiches))` gives back the same records, except `id`,
`source_file` and `source_line`, for every fiche that `render_problems` finds
nothing wrong with. The format cannot carry everything a `Fiche` can hold:

- the title is one non-empty line without surrounding whitespace, and neither
  `Actions` nor a known `- Label` line (see `markup.is_structural_line`);
- an option or list value is one non-empty line without surrounding
  whitespace; written `- value`, it must not read as a known label, and it must
  not be the `Partenaires d'action:` sub-heading (the parser drops it); a
  list's values are distinct (the parser drops repeats);
- a free-text field has no line that reads as `Actions` or a known
  `- Label`, no trailing whitespace on any line (the parser trims it), no
  blank line first or last, and no line break other than `\\n`;
- no text holds a NUL character or a lone surrogate (not valid UTF-8);
- département and year come back through the header table: one line each,
  no `|`, no surrounding whitespace; the table row must not read as the
  table's `---|---|---|` rule (title, département and year all dashes); with an empty
  département the structure must not end in ` - Something` (the parser takes
  the département from it).
"""

from __future__ import annotations

from collections.abc import Iterable

from .fiche import FIELD_SPECS, Fiche, FieldSpec
from .markup import BLOCK_MARKER, PARTNERS_SUBHEADING, is_structural_line, is_table_rule, normalize_label
from .parse import department_from_structure

HEADING = "Les actions des centres sociaux"
TABLE_HEAD = "Nom | Département | Année |"
TABLE_RULE = "---|---|---|"
PARTNERS_LINE = "Partenaires d'action:"
# Lists the export opens with an empty `-` line (and, for partners, the sub-heading).
_OPENED_WITH_DASH = frozenset({"keywords", "initiative", "partners"})
_MARKER_LINE = BLOCK_MARKER.capitalize()
_LINE_BREAKS = ("\n", "\r")


def _field_lines(spec: FieldSpec, value: str | list[str]) -> list[str]:
    lines = [f"- {spec.label}"]
    if spec.kind == "text":
        if value:
            lines.extend(str(value).split("\n"))
        return lines
    if spec.name in _OPENED_WITH_DASH:
        lines.append("-")
    if spec.name == "partners":
        lines.append(PARTNERS_LINE)
    values = value if isinstance(value, list) else [value]
    lines.extend(f"- {item}" for item in values if item)
    return lines


def render_fiche(fiche: Fiche) -> str:
    """One `Actions` block, every label present, in export order."""
    lines = [_MARKER_LINE, fiche.title]
    for spec in FIELD_SPECS:
        lines.extend(_field_lines(spec, getattr(fiche, spec.name)))
    return "\n".join(lines) + "\n"


def _header_row(fiche: Fiche) -> str:
    return f"{fiche.title} | {fiche.department} | {fiche.year} |"


def render_header(fiches: Iterable[Fiche]) -> str:
    rows = [_header_row(fiche) for fiche in fiches]
    return "\n".join([HEADING, TABLE_HEAD, TABLE_RULE, *rows]) + "\n"


def render_corpus(fiches: list[Fiche]) -> str:
    """A whole corpus file: the header table (départements, years) then one block per fiche."""
    return render_header(fiches) + "".join(render_fiche(fiche) for fiche in fiches)


def _one_line_problem(name: str, value: str) -> str | None:
    if any(mark in value for mark in _LINE_BREAKS):
        return f"{name} : saut de ligne"
    if value != value.strip():
        return f"{name} : espaces en début ou fin"
    return None


def _encoding_problem(name: str, value: str) -> str | None:
    if "\x00" in value:
        return f"{name} : caractère nul"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{name} : caractère non encodable en UTF-8"
    return None


def _item_problems(name: str, value: str) -> list[str]:
    problems = [p for p in (_one_line_problem(name, value), _encoding_problem(name, value)) if p]
    if not value:
        problems.append(f"{name} : valeur vide")
    elif is_structural_line(f"- {value}"):
        problems.append(f"{name} : « - {value} » se lit comme un libellé")
    elif normalize_label(value) == PARTNERS_SUBHEADING:
        problems.append(f"{name} : sous-titre des partenaires")
    return problems


def _text_problems(name: str, value: str) -> list[str]:
    problems = [p for p in (_encoding_problem(name, value),) if p]
    if "\r" in value:
        problems.append(f"{name} : retour chariot")
    lines = value.split("\n")
    if value and (not lines[0].strip() or not lines[-1].strip()):
        problems.append(f"{name} : ligne vide en début ou fin")
    for line in lines:
        if line != line.rstrip():
            problems.append(f"{name} : espaces en fin de ligne")
        if is_structural_line(line):
            problems.append(f"{name} : la ligne « {line} » se lit comme un libellé ou un début de fiche")
    return problems


def _title_problems(title: str) -> list[str]:
    problems = [p for p in (_one_line_problem("title", title), _encoding_problem("title", title)) if p]
    if not title.strip():
        problems.append("title : titre vide")
    elif is_structural_line(title):
        problems.append("title : se lit comme un libellé ou un début de fiche")
    return problems


def _header_problems(fiche: Fiche) -> list[str]:
    problems: list[str] = []
    for name in ("department", "year"):
        value = getattr(fiche, name)
        problems += [p for p in (_one_line_problem(name, value), _encoding_problem(name, value)) if p]
        if "|" in value:
            problems.append(f"{name} : contient « | »")
    if not fiche.department and department_from_structure(fiche.structure):
        problems.append("department : vide, mais la structure se termine par « - Département »")
    if is_table_rule(_header_row(fiche)):
        problems.append("title : la ligne d'en-tête se lit comme le filet du tableau (« --- | --- | --- »)")
    return problems


def render_problems(fiche: Fiche) -> list[str]:
    """Why `fiche` would not come back identical from its rendering (empty list: it will)."""
    problems = _title_problems(fiche.title) + _header_problems(fiche)
    for spec in FIELD_SPECS:
        value = getattr(fiche, spec.name)
        if spec.kind == "text":
            problems += _text_problems(spec.name, value)
        elif spec.kind == "option":
            if value:
                problems += _item_problems(spec.name, value)
        else:
            for item in value:
                problems += _item_problems(spec.name, item)
            if len(set(value)) != len(value):
                problems.append(f"{spec.name} : valeurs répétées")
    return problems

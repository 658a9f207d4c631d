"""One `Actions` block fed line by line: its title, the fields its label lines open, and their values.

Also decides whether an `Actions` line inside free text opens a new block or
is a sub-heading of that text.
"""

from __future__ import annotations

from .decoding import _Line
from .fiche import FIELD_SPECS, SPECS_BY_NAME, Fiche, FieldSpec
from .markup import PARTNERS_SUBHEADING, is_marker_text, is_structural_line, label_specs, normalize_label


# How many lines a title may span before the first label, when telling a new
# block from an `Actions` sub-heading inside free text.
TITLE_LINES = 3
_FIRST_LABEL = FIELD_SPECS[0].name


class _FieldCollector:
    """Accumulates the values of one block's fields as label lines open them."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.current: FieldSpec | None = None

    def open(self, candidates: list[FieldSpec]) -> None:
        spec = next((c for c in candidates if c.name not in self.values), candidates[-1])
        self.current = spec
        self.values.setdefault(spec.name, [])

    def would_repeat(self, candidates: list[FieldSpec]) -> bool:
        return all(c.name in self.values for c in candidates)

    def in_text(self) -> bool:
        return self.current is not None and self.current.kind == "text"

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



class _Block:
    """One `Actions` block, fed line by line."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.title_line: _Line | None = None
        self.title_parts: list[str] = []
        self.untitled = False
        self.bad: _Line | None = None
        self.collector = _FieldCollector()

    def feed(self, line: _Line) -> None:
        if line.error and self.bad is None:
            self.bad = line
        specs = label_specs(line.text)
        if self.title_line is None:
            if not line.text.strip():
                return
            self.title_line = line
            if not specs:
                self.title_parts.append(line.text.strip())
                return
            self.untitled = True
        if specs:
            self.collector.open(specs)
        elif self.collector.current is None:
            if line.text.strip():
                self.title_parts.append(line.text.strip())
        else:
            self.collector.add(line.text)

    @property
    def title(self) -> str:
        return " ".join(self.title_parts)

    def starts_new_block(self, following: list[_Line]) -> bool:
        """Whether an `Actions` line inside this block opens a new one, given the next non-blank lines.

        Inside free text it does only if a title follows, then (within a few
        lines) `- Structure organisatrice` or a label this fiche already had,
        or the end of the file (a truncated fiche, reported as such).
        """
        if not self.collector.in_text() or not following or is_structural_line(following[0].text):
            return True
        for line in following[1:]:
            if is_marker_text(line.text):
                return True
            specs = label_specs(line.text)
            if specs:
                return specs[0].name == _FIRST_LABEL or self.collector.would_repeat(specs)
        return len(following) <= TITLE_LINES


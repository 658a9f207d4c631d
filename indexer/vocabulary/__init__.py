"""The sector's vocabulary, shared by indexing and querying: acronyms and synonyms.

Both lists are plain text files beside this module (`acronymes.txt`,
`synonymes.txt`), documented in their headers so that a federation can add
lines without touching code. The analyzer uses the acronyms (a known acronym
is indexed as itself, never stemmed into a word); the query side uses both to
widen a search.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from unidecode import unidecode

VOCABULARY_DIR = Path(__file__).resolve().parent
ACRONYMS_FILE = "acronymes.txt"
SYNONYMS_FILE = "synonymes.txt"


@dataclass(frozen=True)
class Acronyms:
    expansions: dict[str, tuple[str, ...]]
    """Acronym (folded capitals) → its long forms."""
    ambiguous: frozenset[str]
    """Acronyms recognised only when written in capitals (PRE, not "pré")."""

    def known(self, word: str) -> str | None:
        """The acronym a word stands for: capitals of a listed one, or any case of an unambiguous one."""
        upper = unidecode(word).upper()
        if upper not in self.expansions:
            return None
        if upper in self.ambiguous and unidecode(word) != upper:
            return None
        return upper


@dataclass(frozen=True)
class SynonymRule:
    expressions: tuple[str, ...]
    """Expressions as written in the file."""
    targets: tuple[str, ...]
    """For a one-way rule (`a => b`), what the expressions widen to; empty for an equivalence."""


def vocabulary_dir() -> Path:
    """The folder of the vocabulary files (`SEARCH_VOCABULARY_DIR` overrides the bundled one)."""
    return Path(os.environ.get("SEARCH_VOCABULARY_DIR") or VOCABULARY_DIR)


def _content_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=4)
def load_acronyms(folder: Path | None = None) -> Acronyms:
    expansions: dict[str, tuple[str, ...]] = {}
    ambiguous = set()
    for line in _content_lines((folder or vocabulary_dir()) / ACRONYMS_FILE):
        head, _, tail = line.partition("=")
        name = unidecode(head.strip()).upper()
        if name.endswith("?"):
            name = name[:-1].strip()
            ambiguous.add(name)
        if name:
            expansions[name] = tuple(form.strip() for form in tail.split("|") if form.strip())
    return Acronyms(expansions, frozenset(ambiguous))


@lru_cache(maxsize=4)
def load_synonyms(folder: Path | None = None) -> tuple[SynonymRule, ...]:
    rules = []
    for line in _content_lines((folder or vocabulary_dir()) / SYNONYMS_FILE):
        head, arrow, tail = line.partition("=>")
        expressions = tuple(part.strip() for part in head.split(",") if part.strip())
        targets = tuple(part.strip() for part in tail.split(",") if part.strip()) if arrow else ()
        if expressions and (targets or not arrow):
            rules.append(SynonymRule(expressions, targets))
    return tuple(rules)

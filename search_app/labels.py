"""Display labels of facet values: one mapping used by the API (`label`), the pages and the widget.

Filters keep accepting the stored value; the label is only how it is shown
("familles" → "Familles", the form's typo "Viellissement" → "Vieillissement",
a département "Somme" → "Somme (80)").
"""

from __future__ import annotations

import re

from indexer.schema import FACET_LABELS
from indexer.territory import departement_label

# Stored spellings shown differently than by capitalising their first letter.
CORRECTED: dict[str, str] = {
    "Viellissement": "Vieillissement",
    "viellissement": "Vieillissement",
}


_PLAIN_WORDS = re.compile(r"[^\W\d_][\w\s'’/-]*")
"""Only words get a capital: anything else (codes, addresses, markup) is shown exactly as stored."""


def value_label(facet: str, value: str) -> str:
    """How a facet value is shown."""
    if facet == "department":
        return departement_label(value)
    corrected = CORRECTED.get(value)
    if corrected:
        return corrected
    if _PLAIN_WORDS.fullmatch(value):
        return value[:1].upper() + value[1:]
    return value


def facet_label(facet: str) -> str:
    """A facet's name as shown ("department" → "Département")."""
    return FACET_LABELS.get(facet, facet)

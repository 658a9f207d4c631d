"""The Whoosh schema and how a `Fiche` becomes an index document."""

from __future__ import annotations

import json

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import FIELD_BREAK, SectionedText, bigram_analyzer, facet_analyzer, fold, french_analyzer, spelling_analyzer
from .fiche import Fiche

# Ranked text fields and their query-time weights: a word in the title counts
# more than in the keywords, the summary, the metadata, then the long sections.
TEXT_FIELD_BOOSTS: dict[str, float] = {
    "title": 5.0,
    "keywords_text": 3.0,
    "summary": 2.0,
    "meta": 1.5,
    "body": 1.0,
}

# Facet fields (exact values, original spelling). API name → index field.
FACET_FIELDS: tuple[str, ...] = (
    "dimension", "public", "keyword", "status", "department", "year",
    "territory", "initiative", "partner", "region", "funder", "budget", "participants",
)

# Facets offered in the search API and pages, in display order.
PUBLIC_FACETS: tuple[str, ...] = ("dimension", "public", "keyword", "status", "department", "year", "region",
                                  "territory", "initiative", "partner", "funder")

# Facet fields holding one whole number per fiche, filtered by ranges (name_min, name_max).
RANGE_FIELDS: tuple[str, ...] = ("budget", "participants")

FACET_LABELS: dict[str, str] = {
    "dimension": "Dimension",
    "public": "Public",
    "keyword": "Mot clé",
    "status": "Statut",
    "department": "Département",
    "year": "Année",
    "territory": "Territoire",
    "initiative": "Initiative",
    "partner": "Partenaire",
    "region": "Région",
    "funder": "Financeur",
    "budget": "Budget",
    "participants": "Participants",
}


def build_schema() -> Schema:
    french = french_analyzer()
    facets = {name: KEYWORD(analyzer=facet_analyzer(), stored=False, scorable=False)
              for name in FACET_FIELDS}
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=french, stored=True, phrase=False),
        keywords_text=TEXT(analyzer=french, phrase=False),
        summary=TEXT(analyzer=french, phrase=False),
        meta=TEXT(analyzer=french, phrase=False),
        body=TEXT(analyzer=french, phrase=False),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False, spelling=True),
        bigrams=TEXT(analyzer=bigram_analyzer(), phrase=False),
        title_sort=ID(sortable=True),
        year_sort=ID(sortable=True),
        record=STORED(),
        **facets,
    )


def facet_values(fiche: Fiche) -> dict[str, list[str]]:
    budget, participants = fiche.budget, fiche.participants
    return {
        "dimension": [fiche.dimension] if fiche.dimension else [],
        "public": fiche.public,
        "keyword": fiche.keywords,
        "status": [fiche.status] if fiche.status else [],
        "department": [fiche.department_name] if fiche.department else [],
        "year": [fiche.year] if fiche.year else [],
        "territory": fiche.territories,
        "initiative": fiche.initiative,
        "partner": fiche.partner_names,
        "region": [fiche.region] if fiche.region else [],
        "funder": fiche.funders,
        "budget": [str(budget)] if budget is not None else [],
        "participants": [str(participants)] if participants is not None else [],
    }


def _meta_text(fiche: Fiche) -> str:
    parts = [fiche.structure, fiche.dimension, fiche.department, *fiche.public,
             *fiche.territories, *fiche.initiative, *fiche.partners]
    return "\n".join(part for part in parts if part)


def fiche_document(fiche: Fiche) -> dict:
    """The Whoosh document for a fiche (all text searchable, the record stored whole)."""
    keywords = "\n".join(fiche.keywords)
    meta = _meta_text(fiche)
    body = fiche.body_text()
    # The spelling and phrase fields repeat every section; SectionedText lets the
    # analyzer reuse each section's terms. Its separators never join two words
    # (a newline; FIELD_BREAK between spaces, which also stops phrase pairs).
    sections = (fiche.title, keywords, fiche.summary, meta, body)
    document = {
        "id": fiche.id,
        "title": fiche.title,
        "keywords_text": keywords,
        "summary": fiche.summary,
        "meta": meta,
        "body": body,
        "spell": SectionedText(sections, "\n"),
        "bigrams": SectionedText(sections, f" {FIELD_BREAK} "),
        "title_sort": fold_for_sort(fiche.title),
        "year_sort": fiche.year or "0000",
        "record": json.dumps(fiche.to_dict(), ensure_ascii=False),
    }
    document.update({name: values for name, values in facet_values(fiche).items() if values})
    return document


def fold_for_sort(text: str) -> str:
    return fold(text).strip()

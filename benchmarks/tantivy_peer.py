"""The second peer: the same fiches and requests on tantivy (Rust, through tantivy-py), for our/tantivy ratios.

tantivy is the strongest engine measured beside ours. Its best French setup
here: the simple tokenizer, tokens over 40 characters dropped, lowercase,
ASCII folding, French stop words (which also drop the elided l', d', qu'),
then the Snowball French stemmer — folding before stemming, as ours does, so
that "agees" meets "âgées" (the best of four filter orders on the judged dev
set: nDCG@10 0.73, against 0.69 with folding after stemming and 0.62 without). Fields and weights are ours (title 5,
keywords 3, summary 2, metadata 1.5, body 1, BM25). A request does what
/api/search does: the top 10, a snippet per hit (tantivy's SnippetGenerator
on the summary, else the body), the total, and disjunctive counts for every
public facet with tantivy's terms aggregation over raw fast fields — one
aggregation request for the facets without a filter (counted with every
filter), plus one per filtered facet (counted with every filter but its own).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from indexer.analysis import STOP_WORDS, fold
from indexer.fiche import Fiche
from indexer.schema import PUBLIC_FACETS, TEXT_FIELD_BOOSTS, facet_values

from .queries import MixQuery

try:
    import tantivy
except ImportError:  # the `bench` extra is not installed
    tantivy = None

TOKENIZER = "fr_stem"
FIELDS: dict[str, str] = {"title": "title", "keywords": "keywords_text", "summary": "summary",
                          "meta": "meta", "body": "body"}
BOOSTS: dict[str, float] = {name: TEXT_FIELD_BOOSTS[ours] for name, ours in FIELDS.items()}
SNIPPET_FIELDS = ("summary", "body")
SNIPPET_CHARS = 180
PARAGRAPH_TERMS = 25
FACET_LIMIT = 50
_WORD = re.compile(r"[^\W_]+")
MISSING = "tantivy n'est pas installé (pip install -e '.[bench]') : colonne tantivy omise"


def unavailable_reason() -> str | None:
    """Why this peer cannot run here, or None."""
    return MISSING if tantivy is None else None


def french_analyzer():
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("french"))
            .filter(tantivy.Filter.stemmer("french"))
            .build())


def build_schema():
    builder = tantivy.SchemaBuilder()
    for name in FIELDS:
        builder.add_text_field(name, stored=name in SNIPPET_FIELDS or name == "title", tokenizer_name=TOKENIZER)
    for name in PUBLIC_FACETS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("record", stored=True)
    return builder.build()


def _document(fiche: Fiche):
    meta = "\n".join(p for p in [fiche.structure, fiche.dimension, fiche.department, *fiche.public,
                                 *fiche.territories, *fiche.initiative, *fiche.partners] if p)
    doc = tantivy.Document()
    texts = {"title": fiche.title, "keywords": "\n".join(fiche.keywords), "summary": fiche.summary,
             "meta": meta, "body": fiche.body_text()}
    for name, text in texts.items():
        doc.add_text(name, text)
    for name, values in facet_values(fiche).items():
        if name in PUBLIC_FACETS:
            for value in values:
                doc.add_text(name, value)
    doc.add_bytes("record", json.dumps(fiche.to_dict(), ensure_ascii=False).encode("utf-8"))
    return doc


def open_index(path: Path):
    index = tantivy.Index(build_schema(), path=str(path), reuse=True)
    index.register_tokenizer(TOKENIZER, french_analyzer())
    return index


def build(fiches: list[Fiche], path: Path) -> float:
    """Writes the index from scratch (all cores, one final merge wait); returns the seconds taken."""
    path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    index = tantivy.Index(build_schema(), path=str(path), reuse=False)
    index.register_tokenizer(TOKENIZER, french_analyzer())
    writer = index.writer()
    for fiche in fiches:
        writer.add_document(_document(fiche))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if fold(w) not in STOP_WORDS]


def query_text(query: MixQuery) -> tuple[str, bool]:
    """(tantivy query syntax, conjunction by default): AND of words, a phrase, or OR of a paragraph's words."""
    text = query.text
    if text.startswith('"') and text.endswith('"'):
        return '"' + " ".join(_WORD.findall(text)) + '"', True
    if query.kind == "paragraphe":
        distinct = list(dict.fromkeys(w.lower() for w in _words(text) if len(w) > 3))[:PARAGRAPH_TERMS]
        return " ".join(f'"{w}"' for w in distinct), False
    return " ".join(f'"{w}"' for w in _words(text)), True


class TantivySearcher:
    def __init__(self, path: Path) -> None:
        self.index = open_index(path)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def close(self) -> None:
        self.searcher = None

    def _text_query(self, text: str, conjunction: bool):
        if not text.strip():
            return tantivy.Query.empty_query()
        return self.index.parse_query(text, list(FIELDS), field_boosts=BOOSTS, conjunction_by_default=conjunction)

    def _filtered(self, base, filters: dict[str, list[str]], skip: str | None = None):
        clauses = [(tantivy.Occur.Must, base)]
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(
                        tantivy.Query.term_set_query(self.schema, name, values), 0.0))
                    for name, values in filters.items() if values and name != skip]
        return base if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def _records(self, query, limit: int) -> list[dict]:
        hits = self.searcher.search(query, limit=limit, count=False).hits
        return [json.loads(self.searcher.doc(address)["record"][0]) for _, address in hits]

    def top(self, query: MixQuery) -> list[dict]:
        """Plain ranked query: the top 10 with their records, no facets, no snippets."""
        return self._records(self._filtered(self._text_query(*query_text(query)), query.filters), 10)

    def ranked(self, text: str, filters: dict[str, list[str]], limit: int = 10) -> list[dict]:
        """The relevance benchmark's request: OR of the text's words, filters applied, top `limit` records."""
        words = " ".join(f'"{w}"' for w in _words(text))
        return self._records(self._filtered(self._text_query(words, False), filters), limit)

    def _snippet(self, generators: list, doc) -> str:
        html = ""
        for generator in generators:
            snippet = generator.snippet_from_doc(doc)
            html = snippet.to_html()
            if snippet.highlighted():
                break
        return html

    def _facet_counts(self, query, names: list[str]) -> dict[str, list[tuple[str, int]]]:
        if not names:
            return {}
        request = {name: {"terms": {"field": name, "size": FACET_LIMIT}} for name in names}
        answer = self.searcher.aggregate(query, request)
        return {name: [(b["key"], b["doc_count"]) for b in answer[name]["buckets"]] for name in names}

    def search(self, query: MixQuery) -> dict:
        """What /api/search returns: top 10 with snippets, the total, disjunctive facet counts."""
        base = self._text_query(*query_text(query))
        full = self._filtered(base, query.filters)
        result = self.searcher.search(full, limit=10, count=True)
        generators = []
        for name in SNIPPET_FIELDS:
            generator = tantivy.SnippetGenerator.create(self.searcher, full, self.schema, name)
            generator.set_max_num_chars(SNIPPET_CHARS)
            generators.append(generator)
        hits = []
        for _, address in result.hits:
            doc = self.searcher.doc(address)
            hits.append((json.loads(doc["record"][0]), self._snippet(generators, doc)))
        filtered = [name for name in PUBLIC_FACETS if query.filters.get(name)]
        facets = self._facet_counts(full, [name for name in PUBLIC_FACETS if name not in filtered])
        for name in filtered:
            facets.update(self._facet_counts(self._filtered(base, query.filters, skip=name), [name]))
        return {"total": result.count, "hits": hits, "facets": facets}


def open_searcher(path: Path) -> TantivySearcher:
    return TantivySearcher(path)

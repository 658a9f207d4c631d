"""Query → results: parsing, ranking, facet counts, snippets, suggestions, similarity.

No Flask here: the web layer turns HTTP into `SearchRequest`s and the
dataclasses below back into JSON or HTML.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import Counter, OrderedDict
from itertools import islice
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from markupsafe import escape
from whoosh import query as wq
from whoosh.qparser import FieldsPlugin, MultifieldParser, OperatorsPlugin, plugins
from whoosh.qparser.syntax import AndGroup, OrGroup
from whoosh.scoring import BM25F

from indexer.analysis import STOP_WORDS, WORDS, analyze, fold, spelling_words, word_terms
from indexer.build import Generation, open_current, read_current
from indexer.errors import FicheNotFound, IndexerError
from indexer.fiche import Fiche
from indexer.schema import PUBLIC_FACETS, TEXT_FIELD_BOOSTS

from .facets import FacetTable
from .matching import Evaluation, IndexStatistics, QueryEvaluator, top_documents
from .postings import PostingsCache

SORTS = ("relevance", "year", "title")
LONG_QUERY_TERMS = 12
SUGGEST_BELOW = 3
MAX_SYNTAX_WORDS = 64
SIMILARITY_TERMS = 25
SIMILARITY_FIELDS = ("body", "summary", "title")
SIMILARITY_CANDIDATES = 600
COMPLETION_CANDIDATES = 300
SNIPPET_CHARS = 240
FIELD_ALIASES = {
    "title": ["titre"],
    "summary": ["resume", "résumé"],
    "keywords_text": ["motcle", "motscles", "mot-cle", "mots-cles", "mot-clé", "mots-clés"],
    "body": ["texte", "description"],
    "meta": ["structure", "partenaire", "partenaires"],
}
QUERYABLE_FIELDS = frozenset(TEXT_FIELD_BOOSTS) | frozenset(PUBLIC_FACETS) | {"territory", "initiative", "partner"}
# Folded field name or alias → queryable field. Any other `name:` is read as plain words,
# so internal fields (id, content, spell, record…) cannot be searched.
FIELD_NAMES: dict[str, str] = {
    **{fold(name): name for name in QUERYABLE_FIELDS},
    **{fold(alias): name for name, aliases in FIELD_ALIASES.items() for alias in aliases},
}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SYNTAX_CHARS = re.compile(r"[\"()\[\]{}:^*?~+\-]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# At the start of a word, or right after the "-" of an exclusion (`-titre:jardin`).
_WORD_START = r"(?:(?<![\w-])|(?<=^-)|(?<=[\s(]-))"
_FIELD_PREFIX = re.compile(_WORD_START + r"([^\W\d_][\w-]*):")
_OPERATOR_WORDS = {"AND", "OR", "NOT", "ET", "OU", "SAUF"}
# Apostrophes are French elisions, not quotes; ranges, boosts, wildcards and *:* are not offered;
# "-" is handled by the Not operator below so that "parents-enfants" stays one phrase.
_UNUSED_PLUGINS = (plugins.SingleQuotePlugin, plugins.RangePlugin, plugins.BoostPlugin,
                   plugins.EveryPlugin, plugins.WildcardPlugin, plugins.PlusMinusPlugin)
_OPERATOR_SYNTAX = re.compile(
    r"\b(?:AND|OR|NOT|ET|OU|SAUF)\b|" + _WORD_START + "(?:"
    + "|".join(sorted(QUERYABLE_FIELDS, key=len, reverse=True)) + "):")
_OPERATORS = {
    "And": r"(?<=\s)(AND|ET)(?=\s)",
    "Or": r"(?<=\s)(OR|OU)(?=\s)",
    # NOT/SAUF before a word, or "-" glued to the start of a word (not inside "parents-enfants").
    "Not": r"(?:^|(?<=[\s(]))(?:(?:NOT|SAUF)(?=\s)|-(?=[^\s+\-]))",
}


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"

    @staticmethod
    def make(query: str = "", filters: dict[str, list[str]] | None = None, page: int = 1,
             per_page: int = 10, sort: str = "relevance") -> SearchRequest:
        """A normalised request: equal searches give equal (hashable) requests."""
        normalized = tuple(sorted(
            (name, tuple(sorted(set(values))))
            for name, values in (filters or {}).items() if values))
        return SearchRequest(clean_query(query), normalized, page, per_page, sort)



@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    structure: str
    department: str
    year: str
    status: str
    dimension: str
    public: list[str]
    keywords: list[str]
    snippet: str
    score: float | None


@dataclass(frozen=True)
class SearchResponse:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    filters: dict[str, tuple[str, ...]]
    suggestion: str | None
    relaxed: bool
    similarity: bool
    took_ms: float
    generation: str

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def clean_query(text: str) -> str:
    """Removes control, zero-width and bidi characters; collapses whitespace."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return " ".join(_CONTROL_CHARS.sub(" ", text).split())


def query_words(text: str) -> list[str]:
    """The plain words of a query, field prefixes, operators and syntax dropped."""
    text = _FIELD_PREFIX.sub(lambda m: " " if fold(m.group(1)) in FIELD_NAMES else m.group(0), text)
    return [w for w in _WORD.findall(_SYNTAX_CHARS.sub(" ", text)) if w not in _OPERATOR_WORDS]


def normalize_fields(text: str) -> str:
    """Field prefixes made canonical (`Titre:` → `title:`); dangling or unknown ones made words.

    `titre:` with nothing after it is dropped; `record:x` or `foo:bar` becomes
    the plain words `record x`, `foo bar`.
    """

    def replace(match: re.Match) -> str:
        name = FIELD_NAMES.get(fold(match.group(1)))
        if name is None:
            return f"{match.group(1)} "
        rest = text[match.end():]
        if not rest or rest[0].isspace() or rest[0] == ")" or _FIELD_PREFIX.match(rest):
            return " "
        return f"{name}:"

    return _strip_dangling_operators(_FIELD_PREFIX.sub(replace, text))


_DANGLING_OPERATORS = re.compile(
    r"^\s*(?:(?:AND|OR|ET|OU)\s+)+|(?:\s+(?:AND|OR|ET|OU|NOT|SAUF))+\s*$|(?:\s+(?:AND|OR|ET|OU|NOT|SAUF))+(?=\s*\))")


def _strip_dangling_operators(text: str) -> str:
    """Drops operators with nothing to bind (`jardin OR`, `AND jardin`), as typed mid-query."""
    return _DANGLING_OPERATORS.sub("", text)


class _Parser:
    """Whoosh's parser set up for French users: AND by default, -mot, OR/OU, titre:…

    Expects text passed through `normalize_fields`.
    """

    def __init__(self, schema) -> None:
        self.schema = schema
        self.strict = self._make(AndGroup)
        self.loose = self._make(OrGroup.factory(0.9))

    def _make(self, group) -> MultifieldParser:
        parser = MultifieldParser(list(TEXT_FIELD_BOOSTS), self.schema,
                                  fieldboosts=TEXT_FIELD_BOOSTS, group=group)
        for plugin in _UNUSED_PLUGINS:
            parser.remove_plugin_class(plugin)
        parser.replace_plugin(OperatorsPlugin(**_OPERATORS, AndNot=None, AndMaybe=None, Require=None))
        names = "|".join(sorted(QUERYABLE_FIELDS, key=len, reverse=True))
        parser.replace_plugin(FieldsPlugin(expr=rf"{_WORD_START}(?P<text>{names}):"))
        return parser

    def parse(self, text: str, relaxed: bool) -> wq.Query:
        """Parsed query; falls back to plain words when the syntax cannot be used.

        A query of exclusions only (`-jardin`) keeps every other document.
        """
        words = query_words(text)
        if len(words) > MAX_SYNTAX_WORDS:
            return plain_words_query(words, relaxed)
        parser = self.loose if relaxed else self.strict
        try:
            parsed = parser.parse(text)
            if not _uses_only(parsed, QUERYABLE_FIELDS):
                parsed = plain_words_query(query_words(text), relaxed)
        except Exception:  # whoosh's parser raises assorted errors on odd input
            parsed = plain_words_query(query_words(text), relaxed)
        return _boost_phrases(parsed)


def _boost_phrases(q: wq.Query) -> wq.Query:
    """Gives phrases the field weights the parser only gives single words."""
    if isinstance(q, wq.Phrase) and q.boost == 1.0:
        q.boost = TEXT_FIELD_BOOSTS.get(q.fieldname, 1.0)
    elif not q.is_leaf():
        for child in q.children():
            _boost_phrases(child)
    return q


def _uses_only(q: wq.Query, allowed: frozenset[str]) -> bool:
    return all(field_name in allowed for field_name, _ in _leaf_terms(q, positive_only=False))


def _leaf_terms(q: wq.Query, positive_only: bool = True):
    """(field, text) of the query's leaves; with positive_only, those under NOT are left out."""
    if positive_only and isinstance(q, wq.Not):
        return
    if isinstance(q, wq.Phrase):
        for word in q.words:
            yield q.fieldname, word
        return
    if isinstance(q, wq.Term):
        yield q.fieldname, q.text
        return
    if isinstance(q, wq.AndNot):
        yield from _leaf_terms(q.a, positive_only)
        if not positive_only:
            yield from _leaf_terms(q.b, positive_only)
        return
    if q.is_leaf():
        fieldname = getattr(q, "fieldname", None)
        text = getattr(q, "text", None)
        if fieldname is not None and isinstance(text, str):
            yield fieldname, text
        return
    for child in q.children():
        yield from _leaf_terms(child, positive_only)


def plain_words_query(words: list[str], relaxed: bool) -> wq.Query:
    """Each analysed word searched in every text field; all words required unless relaxed."""
    stems = list(dict.fromkeys(stem for word in words for stem in analyze(word)))
    if not stems:
        return wq.NullQuery
    per_word = [wq.Or([wq.Term(name, stem, boost=boost) for name, boost in TEXT_FIELD_BOOSTS.items()])
                for stem in stems]
    return wq.Or(per_word) if relaxed else wq.And(per_word)


def key_terms(text: str, searcher, limit: int = SIMILARITY_TERMS) -> list[tuple[str, float]]:
    """The `limit` most distinctive stems of a text (tf·idf).

    Only the most frequent SIMILARITY_CANDIDATES stems are weighed, so a page
    of random words costs no more than a page of prose.
    """
    counts = Counter(analyze(text[:200_000]))
    total = max(1, searcher.doc_count())
    scored = []
    for stem, tf in counts.most_common(SIMILARITY_CANDIDATES):
        if len(stem) < 2 or stem.isdigit():
            continue
        df = _document_frequency(searcher, stem)
        if df == 0:
            continue
        scored.append((stem, (1 + math.log(tf)) * math.log(1 + total / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def _document_frequency(searcher, stem: str) -> int:
    """Documents holding the stem in the body, else in the summary, else in the title."""
    for name in SIMILARITY_FIELDS:
        df = searcher.doc_frequency(name, stem)
        if df:
            return df
    return 0


def similarity_query(terms: list[tuple[str, float]]) -> wq.Query:
    """Any of the key terms in any text field, each weighted by its distinctiveness."""
    if not terms:
        return wq.NullQuery
    top = terms[0][1]
    return wq.Or([wq.Term(name, stem, boost=field_boost * weight / top)
                  for stem, weight in terms for name, field_boost in TEXT_FIELD_BOOSTS.items()])


SNIPPET_LEAD = 60


def highlight_passage(text: str, stems: frozenset[str], width: int = SNIPPET_CHARS) -> str:
    """HTML of the `width`-character passage holding the most matched words, or "" if none.

    Words are matched through the index analyzer (stemming, folding), one
    memoised lookup per word; the text is escaped piece by piece around <mark>.
    """
    matches = list(WORDS.finditer(text))
    terms = word_terms(list(map(re.Match.group, matches)))
    spans = [match.span() for match, term in zip(matches, terms) if term in stems]
    if not spans:
        return ""
    best, best_count, j = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= width - SNIPPET_LEAD:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    begin = max(0, spans[best][0] - SNIPPET_LEAD)
    if begin:
        space = text.find(" ", begin, spans[best][0])
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", max(spans[best][1], begin), end)
        end = space if space > begin else end
    pieces, cursor = [], begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        pieces.append(str(escape(text[cursor:start])))
        pieces.append(f"<mark>{escape(text[start:stop])}</mark>")
        cursor = stop
    pieces.append(str(escape(text[cursor:end])))
    passage = " ".join("".join(pieces).split())
    return ("… " if begin else "") + passage + (" …" if end < len(text) else "")


def make_snippet(fiche: Fiche, stems: frozenset[str]) -> str:
    """HTML: the best passage of the fiche with matched words marked, always escaped."""
    if stems:
        for text in (fiche.summary, fiche.body_text(), fiche.title):
            if text:
                marked = highlight_passage(text, stems)
                if marked:
                    return marked
    text = " ".join((fiche.summary or fiche.body_text()).split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return str(escape(text))


@dataclass
class _Snapshot:
    """One index generation, opened once and shared by all requests.

    Holds what every query needs as arrays over document numbers: facet
    postings, field lengths, sort keys, folded titles for completion.
    """

    generation: Generation
    index: object
    facets: FacetTable
    parser: _Parser
    stats: IndexStatistics
    postings: PostingsCache
    year_key: np.ndarray
    title_rank: np.ndarray
    title_starts: TitleStarts
    _local: threading.local = field(default_factory=threading.local)

    def searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.index.searcher(weighting=BM25F())
            self._local.searcher = searcher
        return searcher

    def evaluator(self) -> QueryEvaluator:
        evaluator = getattr(self._local, "evaluator", None)
        if evaluator is None:
            evaluator = QueryEvaluator(self.searcher(), self.stats, self.postings)
            self._local.evaluator = evaluator
        return evaluator

    def evaluate(self, q: wq.Query | None) -> Evaluation:
        """Match mask and scores of a query; None browses every live document."""
        if q is None:
            return Evaluation(self.facets.all_docs(), np.zeros(self.stats.doc_count, dtype=np.float32))
        return self.evaluator().evaluate(q)

    def title(self, docnum: int) -> str:
        return self.searcher().stored_fields(docnum).get("title", "")


class TitleStarts:
    """Finds the titles in which a word starts with a typed prefix, by binary search.

    Keeps every folded title from each of its word starts on (cut to KEY_BYTES)
    in one sorted fixed-width byte array, so a keystroke costs a few
    `searchsorted` calls, not a scan of all titles.
    """

    KEY_BYTES = 32

    def __init__(self, folded_titles: list[str]) -> None:
        self.folded_titles = folded_titles
        keys, docnums = [], []
        for docnum, title in enumerate(folded_titles):
            start = 0
            while start != -1:
                keys.append(title[start:start + self.KEY_BYTES].encode("ascii", "replace"))
                docnums.append(docnum)
                start = title.find(" ", start)
                start = -1 if start == -1 else start + 1
        order = np.argsort(np.array(keys, dtype=f"S{self.KEY_BYTES}"), kind="stable")
        self.keys = np.array(keys, dtype=f"S{self.KEY_BYTES}")[order]
        self.docnums = np.array(docnums, dtype=np.int32)[order]

    def matching(self, folded_prefix: str) -> np.ndarray:
        """Document numbers, ascending, of titles with a word (and what follows) starting with the prefix."""
        prefix = folded_prefix.encode("ascii", "replace")
        head = prefix[:self.KEY_BYTES]
        low = np.searchsorted(self.keys, head, side="left")
        high = np.searchsorted(self.keys, head + b"\xff" * (self.KEY_BYTES - len(head)), side="right") \
            if len(head) < self.KEY_BYTES else np.searchsorted(self.keys, head, side="right")
        docnums = np.unique(self.docnums[low:high])
        if len(prefix) > self.KEY_BYTES:
            docnums = np.array([d for d in docnums.tolist() if self._contains(d, folded_prefix)], dtype=np.int32)
        return docnums

    def _contains(self, docnum: int, folded_prefix: str) -> bool:
        title = self.folded_titles[docnum]
        return title.startswith(folded_prefix) or f" {folded_prefix}" in title


def _column_values(reader, name: str) -> list[str]:
    """A sortable column's values, one per document (none for an index without documents)."""
    if not reader.doc_count_all():
        return []
    return [str(value) for value in reader.column_reader(name)]


class _LruCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class SearchEngine:
    """Searches the served generation of an index root, following new generations as they land."""

    def __init__(self, index_root: Path, cache_size: int = 1024, facet_limit: int = 50,
                 postings_budget: int = 128 * 1024 * 1024) -> None:
        self.index_root = Path(index_root)
        self.facet_limit = facet_limit
        self.postings_budget = postings_budget
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()
        self._cache = _LruCache(cache_size)

    # -- index generations -------------------------------------------------

    def snapshot(self) -> _Snapshot:
        """The current generation; reopens when CURRENT names a new one."""
        name = read_current(self.index_root).name
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation.name == name:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.generation.name != read_current(self.index_root).name:
                self._snapshot = self._open()
            return self._snapshot

    def _open(self) -> _Snapshot:
        generation, ix = open_current(self.index_root)
        reader = ix.reader()
        try:
            facets = FacetTable.from_reader(reader, PUBLIC_FACETS)
            stats = IndexStatistics(reader, list(TEXT_FIELD_BOOSTS), facets.live)
            folded_titles = _column_values(reader, "title_sort")
            years = _column_values(reader, "year_sort")
        finally:
            reader.close()
        year_key = np.array([int(y) if y.isdigit() else 0 for y in years], dtype=np.int32)
        title_rank = np.empty(len(folded_titles), dtype=np.int32)
        title_rank[np.argsort(np.array(folded_titles, dtype=object), kind="stable")] = np.arange(len(folded_titles))
        return _Snapshot(generation, ix, facets, _Parser(ix.schema), stats,
                         PostingsCache(self.postings_budget), year_key, title_rank, TitleStarts(folded_titles))

    def stats(self) -> dict:
        snapshot = self.snapshot()
        return {"generation": snapshot.generation.name, "documents": snapshot.facets.live_count}

    # -- search ------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        snapshot = self.snapshot()
        key = (snapshot.generation.name, request)
        cached = self._cache.get(key)
        if cached is not None:
            return replace(cached, took_ms=_elapsed_ms(started))
        response = self._search(snapshot, request, started)
        self._cache.put(key, response)
        return response

    def _search(self, snapshot: _Snapshot, request: SearchRequest, started: float) -> SearchResponse:
        searcher = snapshot.searcher()
        filters = {name: values for name, values in request.filters if name in PUBLIC_FACETS}
        text = normalize_fields(request.query)
        q, similarity = self._plan(snapshot, searcher, text)
        relaxed = False
        evaluation = snapshot.evaluate(q)
        filter_mask = snapshot.facets.filter_mask(filters)
        if q is not None and not similarity and not (evaluation.mask & filter_mask).any() \
                and len(query_words(text)) > 1:
            relaxed_q = snapshot.parser.parse(text, relaxed=True)
            relaxed_evaluation = snapshot.evaluate(relaxed_q)
            if (relaxed_evaluation.mask & filter_mask).any():
                q, evaluation, relaxed = relaxed_q, relaxed_evaluation, True
        selected = evaluation.mask & filter_mask
        total = int(np.count_nonzero(selected))
        facets = snapshot.facets.disjunctive_counts(evaluation.mask, filters, self.facet_limit)
        hits = self._page_hits(snapshot, q, evaluation, selected, request, total)
        suggestion = None
        if q is not None and not similarity and (relaxed or total < SUGGEST_BELOW):
            suggestion = self._suggestion(snapshot, searcher, request.query, total, relaxed, filter_mask)
        return SearchResponse(
            query=request.query, total=total, page=request.page, per_page=request.per_page,
            sort=request.sort, hits=hits,
            facets={name: [FacetValue(v, c, s) for v, c, s in values] for name, values in facets.items()},
            filters=filters, suggestion=suggestion, relaxed=relaxed, similarity=similarity,
            took_ms=_elapsed_ms(started), generation=snapshot.generation.name)

    @staticmethod
    def _plan(snapshot: _Snapshot, searcher, text: str) -> tuple[wq.Query | None, bool]:
        """(query, similarity mode); no query means browsing everything.

        A long query (a pasted paragraph) is searched by its key terms, unless it is a
        handcrafted one with operators or field prefixes. Quotes, colons and parentheses
        are ordinary punctuation in pasted text, so they do not count.
        """
        words = query_words(text)
        if not words:
            return None, False
        long_query = len(analyze(" ".join(words))) > LONG_QUERY_TERMS
        if long_query and (len(words) > MAX_SYNTAX_WORDS or not _has_operators(text)):
            return similarity_query(key_terms(text, searcher)), True
        q = snapshot.parser.parse(text, relaxed=False)
        return (None if q is wq.NullQuery else q), False

    def _page_hits(self, snapshot: _Snapshot, q: wq.Query | None, evaluation: Evaluation,
                   selected: np.ndarray, request: SearchRequest, total: int) -> list[Hit]:
        start = (request.page - 1) * request.per_page
        if start >= total:
            return []
        limit = start + request.per_page
        sort = request.sort if q is not None else ("year" if request.sort == "relevance" else request.sort)
        candidates = np.flatnonzero(selected)
        if sort == "year":
            order = candidates[np.lexsort((snapshot.title_rank[candidates], -snapshot.year_key[candidates]))]
        elif sort == "title":
            order = candidates[np.argsort(snapshot.title_rank[candidates], kind="stable")]
        else:
            order = top_documents(evaluation.scores, candidates, limit, evaluation.coverage)
        stems = frozenset(text for _, text in _leaf_terms(q)) if q is not None else frozenset()
        searcher = snapshot.searcher()
        hits = []
        for docnum in order[start:limit].tolist():
            fiche = Fiche.from_dict(_record(searcher.stored_fields(docnum)))
            score = round(float(evaluation.scores[docnum]), 4) if (q is not None and sort == "relevance") else None
            hits.append(_hit(fiche, make_snippet(fiche, stems), score))
        return hits

    def _suggestion(self, snapshot: _Snapshot, searcher, text: str, total: int, relaxed: bool,
                    filter_mask) -> str | None:
        """The query with unknown words replaced by close index words, if that finds more.

        Field names, operators and excluded words are never corrected.
        """
        corrector = searcher.corrector("spell")
        replacements = []
        for start, end, word in correctable_words(text):
            folded = spelling_words(word)
            if len(folded) != 1 or len(folded[0]) < 3 or folded[0] in STOP_WORDS or folded[0].isdigit():
                continue
            if searcher.doc_frequency("spell", folded[0]) > 0:
                continue
            maxdist = 1 if len(folded[0]) <= 4 else 2
            candidates = corrector.suggest(folded[0], limit=1, maxdist=maxdist, prefix=1)
            if candidates:
                replacements.append((start, end, _surface_form(searcher, candidates[0], word)))
        if not replacements:
            return None
        corrected = text
        for start, end, replacement in reversed(replacements):
            corrected = corrected[:start] + replacement + corrected[end:]
        normalized = normalize_fields(corrected)

        def found(loose: bool) -> int:
            check = snapshot.parser.parse(normalized, relaxed=loose)
            return int(np.count_nonzero(snapshot.evaluate(check).mask & filter_mask))

        # Better: all words found where some were missing, or simply more results.
        if found(False) > (0 if relaxed else total) or (relaxed and found(True) > total):
            return corrected
        return None

    # -- fiches and similarity ----------------------------------------------

    def get_fiche(self, fiche_id: str) -> Fiche:
        stored = self.snapshot().searcher().document(id=fiche_id)
        if stored is None:
            raise FicheNotFound(fiche_id)
        return Fiche.from_dict(_record(stored))

    def similar_to_fiche(self, fiche_id: str, limit: int = 5,
                         filters: dict[str, list[str]] | None = None) -> list[Hit]:
        snapshot = self.snapshot()
        key = (snapshot.generation.name, "similar", fiche_id, limit,
               tuple(sorted((k, tuple(v)) for k, v in (filters or {}).items())))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        searcher = snapshot.searcher()
        docnum = searcher.document_number(id=fiche_id)
        if docnum is None:
            raise FicheNotFound(fiche_id)
        fiche = Fiche.from_dict(_record(searcher.stored_fields(docnum)))
        text = "\n".join([fiche.title, fiche.title, "\n".join(fiche.keywords), fiche.summary, fiche.body_text()])
        hits = self._similar(snapshot, text, limit, filters, exclude=docnum)
        self._cache.put(key, hits)
        return hits

    def similar_to_text(self, text: str, limit: int = 10,
                        filters: dict[str, list[str]] | None = None) -> list[Hit]:
        return self._similar(self.snapshot(), clean_query(text), limit, filters, exclude=None)

    def _similar(self, snapshot: _Snapshot, text: str, limit: int,
                 filters: dict[str, list[str]] | None, exclude: int | None) -> list[Hit]:
        searcher = snapshot.searcher()
        terms = key_terms(text, searcher)
        q = similarity_query(terms)
        if q is wq.NullQuery:
            return []
        evaluation = snapshot.evaluate(q)
        mask = evaluation.mask & snapshot.facets.filter_mask(
            {k: tuple(v) for k, v in (filters or {}).items() if k in PUBLIC_FACETS})
        if exclude is not None:
            mask[exclude] = False
        stems = frozenset(stem for stem, _ in terms)
        hits = []
        for docnum in top_documents(evaluation.scores, np.flatnonzero(mask), limit).tolist():
            fiche = Fiche.from_dict(_record(searcher.stored_fields(docnum)))
            hits.append(_hit(fiche, make_snippet(fiche, stems), round(float(evaluation.scores[docnum]), 4)))
        return hits

    # -- completion -----------------------------------------------------------

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions for a typed prefix: matching titles first, then index words."""
        snapshot = self.snapshot()
        folded = fold(clean_query(prefix)).strip()
        if not folded:
            return []
        out: list[str] = []
        for docnum in snapshot.title_starts.matching(folded).tolist():
            if snapshot.facets.live[docnum]:
                title = snapshot.title(docnum)
                if title not in out:
                    out.append(title)
                if len(out) >= limit:
                    return out
        last = folded.split()[-1]
        head = prefix.strip()[: len(prefix.strip()) - len(prefix.strip().split()[-1])] if prefix.strip() else ""
        searcher = snapshot.searcher()
        candidates = islice(searcher.reader().expand_prefix("spell", last), COMPLETION_CANDIDATES)
        words = [(searcher.doc_frequency("spell", w), w)
                 for w in (t.decode() if isinstance(t, bytes) else t for t in candidates)]
        for _, word in sorted(words, key=lambda item: (-item[0], item[1]))[: limit * 2]:
            completion = f"{head}{word}"
            if completion not in out:
                out.append(completion)
            if len(out) >= limit:
                break
        return out


def correctable_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words a spelling suggestion may change.

    Not field names (`titre:`), operators (AND, OU…) nor excluded words (`-mot`).
    """
    protected = [m.span() for m in _FIELD_PREFIX.finditer(text)]
    words = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        if match.group() in _OPERATOR_WORDS or any(a <= start < b for a, b in protected):
            continue
        excluded = text[max(0, start - 2):start] in ("-", " -", "(-")
        if text[end:end + 1] == ":" or excluded:
            continue
        words.append((start, end, match.group()))
    return words


def _surface_form(searcher, folded: str, typed: str) -> str:
    """The corpus spelling of a folded vocabulary word (`parentalite` → `parentalité`)."""
    docnum = searcher.document_number(spell=folded)
    forms: Counter = Counter()
    if docnum is not None:
        record = _record(searcher.stored_fields(docnum))
        for value in record.values():
            for text in (value if isinstance(value, list) else [value]):
                if isinstance(text, str):
                    forms.update(w.lower() for w in re.findall(r"[^\W_]+", text) if fold(w) == folded)
    form = forms.most_common(1)[0][0] if forms else folded
    return form[:1].upper() + form[1:] if typed[:1].isupper() else form


def _has_operators(text: str) -> bool:
    """Whether a (normalised) query uses OR/OU/AND/ET/NOT/SAUF or `titre:`.

    `-mot` does not count: pasted text often has bullets glued to words ("-Créer du lien").
    """
    return bool(_OPERATOR_SYNTAX.search(text))


def _record(stored) -> dict:
    return json.loads(stored["record"])


def _hit(fiche: Fiche, snippet: str, score: float | None) -> Hit:
    return Hit(id=fiche.id, title=fiche.title, structure=fiche.structure_name,
               department=fiche.department, year=fiche.year, status=fiche.status,
               dimension=fiche.dimension, public=fiche.public, keywords=fiche.keywords,
               snippet=snippet, score=score)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


__all__ = [
    "FacetValue", "Hit", "IndexerError", "SearchEngine", "SearchRequest", "SearchResponse",
    "SORTS", "clean_query",
]

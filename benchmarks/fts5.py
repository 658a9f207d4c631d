"""The peer: the same fiches and query mix on SQLite FTS5 (Python's sqlite3), for our/peer ratios.

FTS5 has no French stemming (unicode61 folds accents and case only), so its
matching is cheaper and less forgiving than ours; the comparison is of cost,
not of quality. A request does what /api/search does: top 10 by bm25 with the
same field weights, a snippet per hit, the total, and disjunctive counts for
every public facet (GROUP BY over a facet table joined to the match set).
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

from indexer.analysis import STOP_WORDS, fold
from indexer.fiche import Fiche
from indexer.schema import PUBLIC_FACETS, TEXT_FIELD_BOOSTS, facet_values

from .queries import MixQuery

COLUMNS = ("title", "keywords", "summary", "meta", "body")
WEIGHTS = tuple(TEXT_FIELD_BOOSTS[name] for name in ("title", "keywords_text", "summary", "meta", "body"))
PARAGRAPH_TERMS = 25
FACET_LIMIT = 50
_WORD = re.compile(r"[^\W_]+")
BM25 = f"bm25(docs, {', '.join(map(str, WEIGHTS))})"


def fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(a)")
    except sqlite3.OperationalError:
        return False
    return True


def unavailable_reason() -> str | None:
    """Why this peer cannot run here, or None."""
    return None if fts5_available() else "indisponible dans ce sqlite3"


def _row(fiche: Fiche) -> tuple[str, ...]:
    meta = "\n".join(p for p in [fiche.structure, fiche.dimension, fiche.department, *fiche.public,
                                 *fiche.territories, *fiche.initiative, *fiche.partners] if p)
    return (fiche.title, "\n".join(fiche.keywords), fiche.summary, meta, fiche.body_text())


def build(fiches: list[Fiche], path: Path) -> float:
    """Writes the database from scratch; returns the seconds taken."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.executescript(f"""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE VIRTUAL TABLE docs USING fts5({', '.join(COLUMNS)}, tokenize = 'unicode61 remove_diacritics 2');
        CREATE TABLE records (doc INTEGER PRIMARY KEY, record TEXT NOT NULL);
        CREATE TABLE facets (doc INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
    """)
    with db:
        for doc, fiche in enumerate(fiches, start=1):
            db.execute(f"INSERT INTO docs (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", (doc, *_row(fiche)))
            db.execute("INSERT INTO records VALUES (?, ?)", (doc, json.dumps(fiche.to_dict(), ensure_ascii=False)))
            db.executemany("INSERT INTO facets VALUES (?, ?, ?)",
                           [(doc, name, value) for name, values in facet_values(fiche).items()
                            if name in PUBLIC_FACETS for value in values])
    db.executescript("""
        CREATE INDEX facets_by_value ON facets (name, value, doc);
        CREATE INDEX facets_by_doc ON facets (doc, name, value);
        INSERT INTO docs (docs) VALUES ('optimize');
        ANALYZE;
    """)
    db.close()
    return time.perf_counter() - started


def match_expression(query: MixQuery) -> str:
    """FTS5 MATCH syntax for a mix query: AND of words, a phrase, or OR of a paragraph's words."""
    text = query.text
    if text.startswith('"') and text.endswith('"'):
        return '"' + " ".join(_WORD.findall(text)) + '"'
    words = [w for w in _WORD.findall(text) if fold(w) not in STOP_WORDS]
    if query.kind == "paragraphe":
        distinct = list(dict.fromkeys(w.lower() for w in words if len(w) > 3))[:PARAGRAPH_TERMS]
        return " OR ".join(f'"{w}"' for w in distinct)
    return " ".join(f'"{w}"' for w in words)


class Fts5Searcher:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("CREATE TEMP TABLE matched (doc INTEGER PRIMARY KEY, score REAL)")

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def _filter_sql(filters: dict[str, list[str]], column: str, skip: str | None = None) -> tuple[str, list[str]]:
        clauses, params = [], []
        for name, values in filters.items():
            if name == skip or not values:
                continue
            marks = ", ".join("?" * len(values))
            clauses.append(f" AND {column} IN (SELECT doc FROM facets WHERE name = ? AND value IN ({marks}))")
            params += [name, *values]
        return "".join(clauses), params

    def top(self, query: MixQuery) -> list[dict]:
        """Plain ranked query: the top 10 with their records, no facets, no snippets.

        The match set is materialized before the facet filters apply: written as
        `docs.rowid IN (…)`, SQLite re-runs the full-text query per candidate row.
        """
        where, params = self._filter_sql(query.filters, "m.doc")
        rows = self.db.execute(
            f"WITH m AS MATERIALIZED (SELECT rowid AS doc, {BM25} AS score FROM docs WHERE docs MATCH ?) "
            f"SELECT records.record FROM m JOIN records ON records.doc = m.doc "
            f"WHERE 1{where} ORDER BY m.score LIMIT 10",
            [match_expression(query), *params]).fetchall()
        return [json.loads(record) for record, in rows]

    def ranked(self, text: str, filters: dict[str, list[str]], limit: int = 10) -> list[dict]:
        """The relevance benchmark's request: OR of the text's words, filters applied, top `limit` records."""
        words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text) if fold(w) not in STOP_WORDS))
        if not words:
            return []
        where, params = self._filter_sql(filters, "m.doc")
        rows = self.db.execute(
            f"WITH m AS MATERIALIZED (SELECT rowid AS doc, {BM25} AS score FROM docs WHERE docs MATCH ?) "
            f"SELECT records.record FROM m JOIN records ON records.doc = m.doc "
            f"WHERE 1{where} ORDER BY m.score LIMIT {int(limit)}",
            [" OR ".join(f'"{w}"' for w in words), *params]).fetchall()
        return [json.loads(record) for record, in rows]

    def search(self, query: MixQuery) -> dict:
        """What /api/search returns: top 10 with snippets, the total, disjunctive facet counts."""
        expression = match_expression(query)
        self.db.execute("DELETE FROM matched")
        self.db.execute(f"INSERT INTO matched SELECT rowid, {BM25} FROM docs WHERE docs MATCH ?", [expression])
        where, params = self._filter_sql(query.filters, "matched.doc")
        total = self.db.execute(f"SELECT count(*) FROM matched WHERE 1{where}", params).fetchone()[0]
        page = self.db.execute(
            f"SELECT matched.doc, records.record FROM matched JOIN records ON records.doc = matched.doc "
            f"WHERE 1{where} ORDER BY matched.score LIMIT 10", params).fetchall()
        hits = []
        for doc, record in page:
            snippet = self.db.execute(
                "SELECT snippet(docs, -1, '<mark>', '</mark>', ' … ', 24) FROM docs WHERE docs MATCH ? AND rowid = ?",
                [expression, doc]).fetchone()[0]
            hits.append((json.loads(record), snippet))
        facets = {}
        for name in PUBLIC_FACETS:
            where, params = self._filter_sql(query.filters, "matched.doc", skip=name)
            facets[name] = self.db.execute(
                f"SELECT facets.value, count(*) AS n FROM matched JOIN facets ON facets.doc = matched.doc "
                f"WHERE facets.name = ?{where} GROUP BY facets.value ORDER BY n DESC, facets.value LIMIT {FACET_LIMIT}",
                [name, *params]).fetchall()
        return {"total": total, "hits": hits, "facets": facets}


def open_searcher(path: Path) -> Fts5Searcher:
    return Fts5Searcher(path)

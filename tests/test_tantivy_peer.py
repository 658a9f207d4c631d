"""The tantivy peer does /api/search's work (top 10, snippets, total, disjunctive facets), and is skipped cleanly without tantivy."""

from __future__ import annotations

import pytest

from benchmarks import tantivy_peer
from benchmarks.peers import TANTIVY, bench_peer
from benchmarks.prepare import Options
from benchmarks.queries import MixQuery
from benchmarks.report import Report


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, sample_fiches):
    pytest.importorskip("tantivy")
    path = tmp_path_factory.mktemp("tantivy")
    tantivy_peer.build(sample_fiches, path)
    searcher = tantivy_peer.open_searcher(path)
    yield searcher
    searcher.close()


def _query(text: str, filters: dict[str, list[str]] | None = None, kind: str = "1 mot") -> MixQuery:
    return MixQuery(kind, text, len(filters or {}), filters or {})


def test_french_analysis_folds_accents_before_stemming_and_drops_elisions():
    pytest.importorskip("tantivy")
    terms = tantivy_peer.french_analyzer().analyze("L'accueil des Jardins partagés, parentalité parentalite")
    assert terms == ["accueil", "jardin", "partag", "parentalit", "parentalit"]


def test_search_returns_the_top_ten_with_highlighted_snippets_and_the_total(searcher, sample_fiches):
    result = searcher.search(_query("jardins"))
    assert 0 < len(result["hits"]) <= 10 and result["total"] >= len(result["hits"])
    record, snippet = result["hits"][0]
    assert record["title"] == "Jardin partagé: un outil de lien social et de participation citoyenne"
    assert "<b>jardin" in snippet.lower()
    assert searcher.search(_query("grossesses juvéniles", kind="2–3 mots"))["total"] == 1


def test_facet_counts_are_disjunctive(searcher, sample_fiches):
    unfiltered = searcher.search(_query("familles"))
    dimension, count = unfiltered["facets"]["dimension"][0]
    filtered = searcher.search(_query("familles", {"dimension": [dimension]}))
    assert filtered["total"] == count
    # The filtered facet is counted without its own filter, the others with it.
    assert filtered["facets"]["dimension"] == unfiltered["facets"]["dimension"]
    statuses = sum(n for _, n in filtered["facets"]["status"])
    assert statuses == filtered["total"] < unfiltered["total"]


def test_facet_counts_of_a_single_match_are_that_fiches_values(searcher, sample_fiches):
    fiche = next(f for f in sample_fiches if "grossesses" in f.body_text() + f.summary)
    result = searcher.search(_query("grossesses"))
    assert result["total"] == 1
    assert dict(result["facets"]["year"]) == {fiche.year: 1}
    assert dict(result["facets"]["keyword"]) == {k: 1 for k in fiche.keywords}
    assert dict(result["facets"]["public"]) == {p: 1 for p in fiche.public}


def test_ranked_is_the_or_of_the_words_with_filters(searcher, sample_fiches):
    both = searcher.ranked("jardin pétanque", {}, 50)
    jardin = searcher.ranked("jardin", {}, 50)
    assert {r["id"] for r in jardin} <= {r["id"] for r in both}
    year = sample_fiches[0].year
    filtered = searcher.ranked("jardin pétanque", {"year": [year]}, 50)
    assert filtered and all(r["year"] == year for r in filtered)
    assert searcher.ranked("le la les", {}, 10) == []


def test_the_peer_is_skipped_with_a_clear_message_when_tantivy_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(tantivy_peer, "tantivy", None)
    assert "pip install -e '.[bench]'" in TANTIVY.unavailable_reason()
    report = Report("t")
    opts = Options(1, 1, 1, tmp_path, False, True, True, 0.1, 0.1, 1)
    assert bench_peer(TANTIVY, [], [], opts, {}, 1.0, report) == {}
    assert "tantivy n'est pas installé" in report.markdown()
    assert not list(tmp_path.iterdir())

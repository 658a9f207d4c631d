"""The query side of the semantic layer: vectors of a generation, query embeddings, fusion, both modes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from indexer import embeddings
from indexer.build import read_current
from indexer.embeddings import VECTORS_FILE, VECTORS_META
from search_app import semantic
from search_app.engine import SearchEngine
from search_app.results import SearchRequest
from search_app.semantic import QueryVectors, bounded_text, fuse, load_vectors, normalized, text_weight

from conftest import by_title

TURIN = "Sortie Turin"
GROSSESSES = "Les grossesses juvéniles"


def top_title(engine: SearchEngine, similarities: np.ndarray) -> str:
    return engine.snapshot().title(int(np.argmax(similarities)))


# -- fusion (pure) --------------------------------------------------------------------


def test_fuse_weights_min_max_scaled_sides_over_the_candidates():
    lexical = np.array([10.0, 5.0, 0.0, 99.0], dtype=np.float32)
    meaning = np.array([0.80, 0.90, 0.85, 0.99], dtype=np.float32)
    candidates = np.array([True, True, True, False])
    fused = fuse(lexical, meaning, candidates, weight=0.5)
    assert fused[3] == 0.0
    assert fused[:3] == pytest.approx([0.5 * 1.0 + 0.5 * 0.0, 0.5 * 0.5 + 0.5 * 1.0, 0.5 * 0.0 + 0.5 * 0.5])
    assert np.argmax(fuse(lexical, meaning, candidates, weight=0.0)) == 0
    assert np.argmax(fuse(lexical, meaning, candidates, weight=1.0)) == 1


def test_fuse_by_z_scores():
    lexical = np.array([4.0, 2.0, 0.0, 50.0], dtype=np.float32)
    meaning = np.array([0.5, 0.9, 0.7, 0.0], dtype=np.float32)
    candidates = np.array([True, True, True, False])
    fused = fuse(lexical, meaning, candidates, weight=0.5, scale="zscore")
    z = lambda v: (v - v.mean()) / v.std()
    assert fused[:3] == pytest.approx(0.5 * z(lexical[:3]) + 0.5 * z(meaning[:3]), abs=1e-5)
    assert fused[3] == 0.0
    flat = fuse(np.ones(4, dtype=np.float32), meaning, candidates, weight=0.5, scale="zscore")
    assert np.argmax(flat) == 1


def test_normalized_handles_ties_and_no_candidates():
    scores = np.array([3.0, 3.0, 1.0], dtype=np.float32)
    assert normalized(scores, np.array([True, True, False])).tolist() == [1.0, 1.0, 0.0]
    assert normalized(scores, np.zeros(3, dtype=bool)).tolist() == [0.0, 0.0, 0.0]


def test_bounded_text_cuts_at_a_word_boundary():
    text = "jardin partagé " * 100
    cut = bounded_text(text, 40)
    assert 30 <= len(cut) <= 40 and text.startswith(cut) and cut.split()[-1] in {"jardin", "partagé"}
    assert bounded_text("  deux   mots  ", 40) == "deux mots"
    assert len(bounded_text("x" * 1000, 40)) == 40


def test_meaning_weighs_by_the_share_of_the_text_it_read():
    short = "jardin partagé au pied des immeubles"
    assert text_weight(short) == semantic.SEMANTIC_WEIGHT
    page = "mot " * semantic.QUERY_CHARS
    assert text_weight(page) == pytest.approx(semantic.SEMANTIC_WEIGHT * semantic.QUERY_CHARS / len(page.strip()))
    assert text_weight("mot " * (20 * semantic.QUERY_CHARS)) < text_weight(page) < text_weight(short)


# -- query embeddings ---------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.queries: list[str] = []

    def query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return np.ones(embeddings.DIMENSION, dtype=np.float32)


def test_query_vectors_are_bounded_and_remembered(monkeypatch):
    model = Recorder()
    monkeypatch.setattr(semantic, "embedder", lambda: model)
    vectors = QueryVectors(size=2)
    pasted = "une action avec les familles du quartier " * 300
    vectors.vector(pasted)
    assert len(model.queries[0]) <= semantic.QUERY_CHARS
    vectors.vector(pasted)
    vectors.vector("jardin")
    assert len(model.queries) == 2
    vectors.vector("seniors")
    vectors.vector(pasted)
    assert len(model.queries) == 4, "least recently used entry evicted"
    assert vectors.vector("   ") is None and len(model.queries) == 4


def test_a_query_is_embedded_by_meaning(engine):
    snapshot = engine.snapshot()
    assert snapshot.semantic is not None
    assert top_title(engine, snapshot.similarities("excursion en Italie")) == TURIN
    assert top_title(engine, snapshot.similarities("grossesse des adolescentes")) == GROSSESSES


def test_a_fiche_is_compared_by_its_stored_vector(engine, sample_fiches, monkeypatch):
    snapshot = engine.snapshot()
    docnum = snapshot.searcher().document_number(id=by_title(sample_fiches, TURIN).id)
    monkeypatch.setattr(semantic, "embedder", lambda: pytest.fail("no embedding for a stored fiche"))
    similarities = snapshot.semantic.similar_to(docnum)
    assert int(np.argmax(similarities)) == docnum and similarities[docnum] == pytest.approx(1.0, abs=1e-3)


# -- loading a generation's vectors --------------------------------------------------


def copy_of_generation(sample_index, tmp_path):
    path = tmp_path / "generation"
    shutil.copytree(read_current(sample_index).path, path)
    return path


def test_vectors_are_memory_mapped_and_checked(sample_index, tmp_path, sample_fiches):
    path = copy_of_generation(sample_index, tmp_path)
    loaded = load_vectors(path, len(sample_fiches))
    assert isinstance(loaded.matrix, np.memmap) and not loaded.matrix.flags.writeable
    assert load_vectors(path, len(sample_fiches) + 1) is None
    meta = json.loads((path / VECTORS_META).read_text(encoding="utf-8"))
    (path / VECTORS_META).write_text(json.dumps({**meta, "model": "autre modèle"}), encoding="utf-8")
    assert load_vectors(path, len(sample_fiches)) is None
    (path / VECTORS_FILE).write_bytes(b"pas un tableau")
    assert load_vectors(path, len(sample_fiches)) is None
    (path / VECTORS_FILE).unlink()
    assert load_vectors(path, len(sample_fiches)) is None


def test_without_the_model_vectors_are_not_used(sample_index, tmp_path, sample_fiches, monkeypatch):
    monkeypatch.setattr(semantic, "embedder", lambda: None)
    assert load_vectors(copy_of_generation(sample_index, tmp_path), len(sample_fiches)) is None


# -- the engine in both modes ----------------------------------------------------------


PARAGRAPH = ("Nous aimerions proposer aux parents et à leurs adolescents une escapade d'un jour dans une grande "
             "ville italienne du Piémont, au-delà des Alpes, pour découvrir son marché et ses monuments.")


@pytest.fixture(scope="module")
def engine(sample_index):
    return SearchEngine(sample_index, semantic=True)


@pytest.fixture(scope="module")
def lexical_engine(sample_index):
    return SearchEngine(sample_index, semantic=False)


def test_semantic_mode_is_reported(engine, lexical_engine):
    assert engine.stats()["semantic"] is True and lexical_engine.stats()["semantic"] is False
    assert engine.search(SearchRequest.make("jardin")).semantic is True
    assert lexical_engine.search(SearchRequest.make("jardin")).semantic is False
    assert lexical_engine.snapshot().similarities("jardin") is None


def test_a_pasted_paragraph_is_ranked_with_its_meaning(engine, lexical_engine):
    fused = engine.search(SearchRequest.make(PARAGRAPH))
    lexical = lexical_engine.search(SearchRequest.make(PARAGRAPH))
    assert fused.similarity and lexical.similarity
    assert fused.hits[0].title == TURIN
    assert lexical.hits and lexical.hits[0].title != TURIN


def test_similar_actions_use_meaning_and_work_without_it(engine, lexical_engine, sample_fiches):
    assert engine.similar_to_text(PARAGRAPH, 3)[0].title == TURIN
    assert lexical_engine.similar_to_text(PARAGRAPH, 3)
    fiche = by_title(sample_fiches, "Ateliers Parents-enfants")
    for searcher in (engine, lexical_engine):
        hits = searcher.similar_to_fiche(fiche.id, 5)
        assert len(hits) == 5 and fiche.id not in {hit.id for hit in hits}


def test_completion_never_embeds(engine, monkeypatch):
    monkeypatch.setattr(semantic, "embedder", lambda: pytest.fail("completion waited for an embedding"))
    assert engine.suggest("jar")


# -- word queries: meaning completes partial matches ------------------------------------


PARAPHRASE_FICHES = [
    ("couture-00001", "Atelier couture", "Des habitantes apprennent à coudre et à retoucher leurs vêtements."),
    ("foot-0000002", "Tournoi de football", "Un tournoi de football entre les quartiers au printemps."),
    ("cuisine-00003", "Cuisine du monde", "Des repas partagés autour des recettes de chaque pays."),
    ("jardin-00004", "Jardin partagé", "Un potager cultivé par les habitants au pied des immeubles."),
]


@pytest.fixture(scope="module")
def paraphrase_engine(tmp_path_factory):
    from indexer.build import build_index
    from indexer.fiche import Fiche

    root = tmp_path_factory.mktemp("paraphrase")
    build_index([Fiche(id=i, title=t, summary=s) for i, t, s in PARAPHRASE_FICHES], root, embed=True)
    return SearchEngine(root, cache_size=0, semantic=True)


def test_a_partial_word_match_is_completed_by_meaning(paraphrase_engine):
    response = paraphrase_engine.search(SearchRequest.make("réparer des habits abîmés"))
    assert response.relaxed and response.semantic
    assert response.hits[0].id == "couture-00001"


def test_a_full_word_match_is_not_widened_by_meaning(paraphrase_engine):
    response = paraphrase_engine.search(SearchRequest.make("tournoi football"))
    assert [hit.id for hit in response.hits] == ["foot-0000002"]
    assert response.total == 1

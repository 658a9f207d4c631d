"""Semantic vectors written with each generation: alignment with documents, the content-hash cache, switches."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer import embeddings
from indexer.build import add_fiches, build_index, read_current, remove_fiche
from indexer.embeddings import DIMENSION, MODEL_NAME, VECTORS_FILE, VECTORS_META, passage_text

from conftest import by_title


@pytest.fixture(autouse=True)
def semantic_builds(monkeypatch):
    """Builds in this module write vectors (the suite's default is lexical)."""
    monkeypatch.setenv("SEARCH_SEMANTIC", "true")



class CountingEmbedder:
    """A stand-in model: a deterministic unit vector per text, and the texts it was asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def passages(self, texts: list[str]) -> np.ndarray:
        self.embedded += texts
        return np.stack([fake_vector(text) for text in texts])


def fake_vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(DIMENSION).astype(np.float32)
    return vector / np.linalg.norm(vector)


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    model = CountingEmbedder()
    monkeypatch.setattr(embeddings, "embedder", lambda: model)
    monkeypatch.setenv("SEARCH_EMBEDDINGS_CACHE", str(tmp_path / "cache"))
    return model


def stored_vectors(root):
    """(vectors, ids in document order, id → stored document number) of the served generation."""
    path = read_current(root).path
    vectors = np.load(path / VECTORS_FILE)
    meta = json.loads((path / VECTORS_META).read_text(encoding="utf-8"))
    with whoosh_index.open_dir(str(path)).reader() as reader:
        docnums = {stored["id"]: docnum for docnum, stored in reader.iter_docs()}
    return vectors, meta, docnums


def test_sample_index_has_one_normalised_model_vector_per_document(sample_index, sample_fiches):
    vectors, meta, docnums = stored_vectors(sample_index)
    assert meta["model"] == MODEL_NAME and meta["dimension"] == DIMENSION
    assert vectors.shape == (len(sample_fiches), DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert {fiche_id: i for i, fiche_id in enumerate(meta["ids"])} == docnums
    model = embeddings.embedder()
    jardin = by_title(sample_fiches, "Jardin partagé: un outil de lien social et de participation citoyenne")
    expected = model.passages([passage_text(jardin)])[0]
    assert float(vectors[docnums[jardin.id]] @ expected) > 0.999


def test_vectors_are_listed_in_the_generation_manifest(sample_index):
    manifest = json.loads((read_current(sample_index).path / "generation.json").read_text(encoding="utf-8"))
    assert {VECTORS_FILE, VECTORS_META} <= set(manifest["files"])


def test_passage_text_is_title_keywords_and_summary_bounded(sample_fiches):
    fiche = by_title(sample_fiches, "Sortie Turin")
    text = passage_text(fiche)
    assert text.startswith("Sortie Turin\nvacances / loisirs\nOrganisation d'une journée")
    long = replace(fiche, summary="mot " * 5000)
    assert len(passage_text(long)) == embeddings.PASSAGE_CHARS


def test_a_rebuild_embeds_only_new_or_changed_fiches(tmp_path, sample_fiches, fake_model):
    root = tmp_path / "index"
    build_index(sample_fiches, root)
    assert len(fake_model.embedded) == len(sample_fiches)
    fake_model.embedded.clear()
    build_index(sample_fiches, root)
    assert fake_model.embedded == []
    changed = [replace(sample_fiches[0], summary="Un tout autre résumé.")] + sample_fiches[1:]
    build_index(changed, root)
    assert fake_model.embedded == [passage_text(changed[0])]
    vectors, meta, docnums = stored_vectors(root)
    assert np.allclose(vectors[docnums[changed[0].id]], fake_vector(passage_text(changed[0])))


def test_cache_lives_under_the_index_root_by_default(tmp_path, sample_fiches, fake_model, monkeypatch):
    monkeypatch.delenv("SEARCH_EMBEDDINGS_CACHE")
    build_index(sample_fiches[:2], tmp_path / "index")
    assert (tmp_path / "index" / "embeddings-cache" / "vectors.sqlite").is_file()


def test_add_and_remove_keep_vectors_aligned_with_document_numbers(tmp_path, sample_fiches, fake_model):
    root = tmp_path / "index"
    build_index(sample_fiches[:10], root)
    before = read_current(root).path
    old_vectors = np.load(before / VECTORS_FILE).copy()
    fake_model.embedded.clear()
    replaced = replace(sample_fiches[0], summary="Résumé réécrit.")
    add_fiches([replaced, *sample_fiches[10:12]], root)
    assert sorted(fake_model.embedded) == sorted(passage_text(f) for f in [replaced, *sample_fiches[10:12]])
    vectors, meta, docnums = stored_vectors(root)
    assert len(vectors) == len(meta["ids"]) and set(docnums) == {f.id for f in sample_fiches[:12]}
    for fiche in [replaced, *sample_fiches[1:12]]:
        assert meta["ids"][docnums[fiche.id]] == fiche.id
        assert np.allclose(vectors[docnums[fiche.id]], fake_vector(passage_text(fiche)))
    assert np.array_equal(np.load(before / VECTORS_FILE), old_vectors), "hard-linked vectors of the old generation"

    remove_fiche(sample_fiches[3].id, root)
    vectors, meta, docnums = stored_vectors(root)
    assert sample_fiches[3].id not in docnums and sample_fiches[3].id not in meta["ids"]
    for fiche_id, docnum in docnums.items():
        assert meta["ids"][docnum] == fiche_id
        assert np.linalg.norm(vectors[docnum]) == pytest.approx(1.0, abs=1e-5)


def test_disabled_builds_write_no_vectors_and_drop_copied_ones(tmp_path, sample_fiches, fake_model, monkeypatch):
    root = tmp_path / "index"
    build_index(sample_fiches[:4], root, embed=False)
    assert not (read_current(root).path / VECTORS_FILE).exists()
    build_index(sample_fiches[:4], root)
    assert (read_current(root).path / VECTORS_FILE).exists()
    monkeypatch.setenv("SEARCH_SEMANTIC", "false")
    add_fiches(sample_fiches[4:5], root)
    path = read_current(root).path
    assert not (path / VECTORS_FILE).exists() and not (path / VECTORS_META).exists()
    assert fake_model.embedded == [passage_text(f) for f in sample_fiches[:4]]


def test_without_the_model_the_build_still_succeeds_lexically(tmp_path, sample_fiches, monkeypatch):
    monkeypatch.setattr(embeddings, "embedder", lambda: None)
    report = build_index(sample_fiches[:3], tmp_path / "index")
    assert report.indexed == 3 and not (report.generation.path / VECTORS_FILE).exists()


def test_a_failed_embedding_serves_nothing_new(tmp_path, sample_fiches, fake_model, monkeypatch):
    root = tmp_path / "index"
    served = build_index(sample_fiches[:3], root).generation.name

    def broken(texts):
        raise RuntimeError("modèle en panne")

    monkeypatch.setattr(fake_model, "passages", broken)
    with pytest.raises(RuntimeError):
        build_index(sample_fiches[3:6], root)
    assert read_current(root).name == served
    assert sorted(os.listdir(root / "generations")) == [served]

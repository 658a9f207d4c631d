"""Autocompletion: titles first, then index words, never the corpus's own misspellings."""

from __future__ import annotations

from indexer.build import build_index
from indexer.fiche import Fiche
from search_app.engine import SearchEngine


def test_completion_prefers_the_correct_spelling_to_the_corpus_typos(tmp_path):
    fiches = [Fiche(id=f"ok-{i:08d}", title=f"Sortie {i}", summary="Avec les adolescentes du quartier.")
              for i in range(6)]
    fiches.append(Fiche(id="typo-0000001", title="Autre sortie", summary="Avec les adolecentes."))
    fiches.append(Fiche(id="rare-0000001", title="Encore", summary="Les adoptions."))
    build_index(fiches, tmp_path)
    completions = SearchEngine(tmp_path).suggest("ado")
    assert "adolescentes" in completions
    assert "adolecentes" not in completions
    assert "adoptions" in completions

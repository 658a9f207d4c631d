"""Synonyms and acronyms: the sector's equivalent expressions widen a search, typed words first."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.fiche import Fiche
from indexer.vocabulary import load_acronyms, load_synonyms
from search_app.engine import SearchEngine
from search_app.expansion import Vocabulary
from search_app.results import SearchRequest

FICHES = [
    Fiche(id="caf-00000001", title="Permanence de la CAF", summary="La CAF reçoit les allocataires."),
    Fiche(id="cafe-0000002", title="Café des parents", summary="Un café pour échanger entre parents."),
    Fiche(id="repair-00003", title="Repair café", summary="Réparer ensemble les objets du quotidien."),
    Fiche(id="longcaf-0004", title="Accès aux droits",
          summary="Rendez-vous avec la caisse d'allocations familiales pour les dossiers."),
    Fiche(id="ados-0000005", title="Accueil des adolescents", summary="Un local pour les adolescents le soir."),
    Fiche(id="aines-000006", title="Visites aux aînés", summary="Des bénévoles rendent visite aux aînés isolés."),
    Fiche(id="ages-0000007", title="Ateliers pour les enfants", summary="Selon l'âge des enfants, des personnes animent."),
    Fiche(id="devoirs-0008", title="Aide aux devoirs", summary="Accompagnement des élèves après l'école."),
    Fiche(id="pre-00000009", title="Fête au pré", summary="Pique-nique dans le pré communal."),
    Fiche(id="jardin-00010", title="Jardin partagé", summary="Un jardin partagé au pied des immeubles."),
    Fiche(id="jardin-00011", title="Jardin pédagogique", summary="Un jardin pour l'école du quartier."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    root = tmp_path_factory.mktemp("expansion")
    build_index(FICHES, root)
    return SearchEngine(root, cache_size=0)


def ids(engine: SearchEngine, q: str) -> list[str]:
    return [hit.id for hit in engine.search(SearchRequest.make(q, per_page=50)).hits]


@pytest.mark.parametrize("q", ["CAF", "caf", "Caf"])
def test_caf_never_finds_cafe(engine, q):
    found = ids(engine, q)
    assert found[0] == "caf-00000001"
    assert "cafe-0000002" not in found and "repair-00003" not in found


def test_an_acronym_also_finds_its_long_form_after_itself(engine):
    response = engine.search(SearchRequest.make("CAF"))
    assert [hit.id for hit in response.hits] == ["caf-00000001", "longcaf-0004"]
    assert "caisse d'allocations familiales" in response.expansions


def test_a_long_form_also_finds_its_acronym(engine):
    assert set(ids(engine, "caisse d'allocations familiales")) == {"caf-00000001", "longcaf-0004"}


def test_cafe_does_not_find_the_caf(engine):
    assert "caf-00000001" not in ids(engine, "café")


def test_ados_finds_adolescents(engine):
    response = engine.search(SearchRequest.make("ados"))
    assert [hit.id for hit in response.hits] == ["ados-0000005"]
    assert "adolescents" in response.expansions


def test_seniors_finds_aines_but_not_the_age_of_children(engine):
    found = ids(engine, "personnes âgées")
    assert "aines-000006" in found
    assert "ages-0000007" not in found[:1]


def test_soutien_scolaire_finds_aide_aux_devoirs(engine):
    assert ids(engine, "soutien scolaire")[0] == "devoirs-0008"


def test_an_ambiguous_acronym_is_only_an_acronym_in_capitals(engine):
    assert ids(engine, "pré") == ["pre-00000009"]
    assert ids(engine, "PRE") == []


def test_an_exclusion_stays_excluded_when_the_search_is_widened(engine):
    found = ids(engine, "jardin -partagé")
    assert found == ["jardin-00011"]
    assert "jardin-00010" not in ids(engine, "jardin potager -partagé")


def test_expansions_weigh_less_than_the_typed_words(engine):
    hits = engine.search(SearchRequest.make("adolescents ados")).hits
    assert hits[0].id == "ados-0000005"


def test_vocabulary_files_parse():
    acronyms = load_acronyms()
    assert acronyms.expansions["CAF"] == ("caisse d'allocations familiales",)
    assert "PRE" in acronyms.ambiguous and acronyms.known("pre") is None and acronyms.known("PRE") == "PRE"
    assert acronyms.known("clas") == "CLAS"
    rules = load_synonyms()
    assert any("aide aux devoirs" in rule.expressions for rule in rules)


def test_a_federation_can_add_its_own_lines(tmp_path, monkeypatch):
    """Synonyms apply to the next search process; acronyms to the next index build."""
    (tmp_path / "synonymes.txt").write_text("# local\nbalade, randonnée\nvélo => bicyclette\n", encoding="utf-8")
    (tmp_path / "acronymes.txt").write_text("ZZQ = zone de quiétude\n", encoding="utf-8")
    load_acronyms.cache_clear()
    load_synonyms.cache_clear()
    monkeypatch.setenv("SEARCH_VOCABULARY_DIR", str(tmp_path))
    try:
        vocab = Vocabulary()
        assert [alt.label for alt in vocab.alternatives[("balad",)]] == ["randonnée"]
        assert [alt.label for alt in vocab.alternatives[("velo",)]] == ["bicyclette"]
        assert ("bicyclet",) not in vocab.alternatives
        assert load_acronyms().expansions == {"ZZQ": ("zone de quiétude",)}
    finally:
        monkeypatch.delenv("SEARCH_VOCABULARY_DIR")
        load_acronyms.cache_clear()
        load_synonyms.cache_clear()

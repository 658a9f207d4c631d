"""French analyzer (issue 2 §5): accents, plurals, elisions, hyphens — on tokens and in a real index."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.formats import tokens
from whoosh.qparser import MultifieldParser, OrGroup

from indexer.analysis import (
    APOSTROPHES,
    ELISIONS,
    FIELD_BREAK,
    WORD_PATTERN,
    ElisionFilter,
    FrenchAnalyzer,
    NormalizeFilter,
    SectionedText,
    analyze,
    bigram_analyzer,
    facet_analyzer,
    fold,
    french_analyzer,
    reference_analyzer,
    spelling_analyzer,
    spelling_words,
    word_terms,
)
from indexer.build import build_index, open_current
from indexer.fiche import Fiche
from indexer.schema import TEXT_FIELD_BOOSTS


def elided(text: str) -> list[str]:
    """Tokens after elision stripping, before folding and stop-word removal."""
    chain = RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | ElisionFilter()
    return [token.text for token in chain(text)]


@pytest.mark.parametrize("accented, plain", [
    ("parentalité", "parentalite"),
    ("isolées", "isolees"),
    ("âgées", "agees"),
    ("éducation", "education"),
    ("Parentalité", "PARENTALITE"),
    ("vélo", "velo"),
    ("œuvre", "oeuvre"),
    ("français", "francais"),
])
def test_accents_do_not_matter(accented, plain):
    assert analyze(accented) == analyze(plain)
    assert len(analyze(accented)) == 1


def test_folding_happens_before_stemming():
    # Snowball alone stems these two differently; the analyzer must not.
    assert analyze("parentalité") == analyze("parentalite") == ["parentalit"]
    assert analyze("éducation") == ["educ"]


@pytest.mark.parametrize("forms", [
    ("famille", "familles"),
    ("jardin", "jardins"),
    ("partagé", "partagés", "partage", "partagée", "partagées", "partager"),
    ("enfant", "enfants"),
    ("vélo", "vélos"),
    ("jeu", "jeux"),
    ("ami", "amis"),
    ("locaux", "local"),
])
def test_singular_and_plural_meet(forms):
    stems = {tuple(analyze(form)) for form in forms}
    assert len(stems) == 1, dict(zip(forms, map(analyze, forms)))
    assert len(next(iter(stems))) == 1


def test_elisions_are_stripped():
    assert analyze("l'accueil") == analyze("accueil") == ["accueil"]
    assert analyze("L’Accueil") == ["accueil"]
    assert analyze("d’habitants") == analyze("d'habitants") == analyze("habitants") == ["habit"]
    for text in ("l'accueil", "d’habitants", "qu'ils", "qu’ils"):
        assert not {"l", "d", "qu"} & set(analyze(text))


def test_elision_filter_gives_ils_before_stop_words():
    assert elided("qu'ils") == ["ils"]
    assert elided("Qu’ils") == ["ils"]
    assert elided("l'accueil d’habitants") == ["accueil", "habitants"]
    assert elided("jusqu'à lorsqu'il puisqu'on quoiqu'elle") == ["à", "il", "on", "elle"]
    # "ils" is a stop word: the whole analyzer keeps nothing of "qu'ils".
    assert analyze("qu'ils") == []


@pytest.mark.parametrize("prefix", sorted(ELISIONS))
@pytest.mark.parametrize("mark", ["'", "’"])
def test_every_elision_with_both_apostrophes(prefix, mark):
    assert elided(f"{prefix}{mark}atelier") == ["atelier"]


def test_words_with_an_inner_apostrophe_are_kept_whole():
    assert elided("aujourd'hui") == ["aujourd'hui"]
    assert analyze("aujourd’hui") == analyze("aujourd'hui")
    assert set(APOSTROPHES) >= {"'", "’"}


def test_hyphenated_words_split_into_their_parts():
    assert analyze("parents-enfants") == analyze("parents enfants") == ["parent", "enfant"]
    assert set(analyze("esthétique")) <= set(analyze("socio-esthétique"))
    assert analyze("socio-esthétique") == ["socio", "esthet"]
    assert analyze("ateliers parents/enfants") == ["ateli", "parent", "enfant"]


def test_stop_words_are_dropped():
    assert analyze("le jardin de la ville et des habitants") == ["jardin", "vill", "habit"]


def test_fold_and_spelling_words():
    assert fold("Éducation Œuvre Ça") == "education oeuvre ca"
    assert spelling_words("Les Jardins partagés d'Isère") == ["jardins", "partages", "isere"]


# -- the same behaviours through a real index ------------------------------------

TEST_FICHES = [
    Fiche(id="atelier", title="Ateliers parents-enfants du mercredi",
          summary="Un temps de jeu pour les familles isolées.", keywords=["Parentalité"]),
    Fiche(id="bulle", title="Bulle détente",
          summary="Séances de socio-esthétique pour les personnes âgées.", keywords=["Santé"]),
    Fiche(id="jardin", title="Jardin partagé du quartier",
          summary="L'accueil d’habitants autour des parcelles.", keywords=["Éducation"]),
    Fiche(id="velo", title="Sorties à vélo", summary="Randonnées en famille.", keywords=["Loisirs"]),
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("analysis-index")
    build_index(TEST_FICHES, root)
    return root


def search_ids(root, text: str) -> set[str]:
    _, ix = open_current(root)
    parser = MultifieldParser(list(TEXT_FIELD_BOOSTS), ix.schema, group=OrGroup)
    query = parser.parse(text)
    with ix.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(query, limit=None)}


@pytest.mark.parametrize("query, expected", [
    ("parents enfants", {"atelier"}),
    ("enfant", {"atelier"}),
    ("esthétique", {"bulle"}),
    ("esthetique", {"bulle"}),
    ("parentalite", {"atelier"}),
    ("isolees", {"atelier"}),
    ("agees", {"bulle"}),
    ("education", {"jardin"}),
    ("jardins partages", {"jardin"}),
    ("accueil", {"jardin"}),
    ("habitant", {"jardin"}),
    ("velos", {"velo"}),
    ("familles", {"atelier", "velo"}),
    ("jeux", {"atelier"}),
])
def test_index_finds_what_the_analyzer_promises(small_index, query, expected):
    assert search_ids(small_index, query) == expected


def test_search_engine_finds_hyphenated_and_unaccented_words(small_index):
    from search_app.engine import SearchEngine
    from search_app.results import SearchRequest

    engine = SearchEngine(small_index, cache_size=0)
    for query, expected in (("parents enfants", "atelier"), ("esthétique", "bulle"), ("parentalite", "atelier"),
                            ('"parents enfants"', "atelier"), ('"socio esthetique"', "bulle"),
                            ("parents-enfants", "atelier"), ("l'accueil d'habitants", "jardin")):
        hits = engine.search(SearchRequest.make(query)).hits
        assert [hit.id for hit in hits][:1] == [expected], query


# -- the fast term lists used by the bulk writer ----------------------------------------------

french_text = st.text(alphabet=st.sampled_from(list("aàâeéèêiîoôuùûcçœæbdfgjlmnpqrstvxyzAÉ' ’-_.,\n0123456789")),
                      max_size=120)
WORDY = ["l'été", "qu’ils", "jardins", "partagés", "de", "la", "Élise", "qqfinqq", "œuvre", "vélos", "x",
         "CAF", "caf", "café", "FETE", "PRE", "pré", "d'ALSH", "LES", "FPH"]


def chain_terms(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


@pytest.mark.parametrize("make", [french_analyzer, spelling_analyzer, bigram_analyzer],
                         ids=["stem", "spell", "pairs"])
@settings(max_examples=200, deadline=None)
@given(text=french_text | st.lists(st.sampled_from(WORDY), max_size=12).map(" ".join))
def test_fast_terms_equal_the_token_chain(make, text):
    analyzer = make()
    assert analyzer.terms(text) == chain_terms(analyzer, text)


@pytest.mark.parametrize("kind", ["stem", "spell"])
@settings(max_examples=100, deadline=None)
@given(text=french_text)
def test_the_memoised_filter_equals_the_reference_chain(kind, text):
    analyzer = french_analyzer() if kind == "stem" else spelling_analyzer()
    assert chain_terms(analyzer, text) == chain_terms(reference_analyzer(kind), text)


@pytest.mark.parametrize("make, separator", [(spelling_analyzer, "\n"), (bigram_analyzer, f" {FIELD_BREAK} ")],
                         ids=["spell", "pairs"])
@settings(max_examples=150, deadline=None)
@given(parts=st.lists(french_text, max_size=5))
def test_sectioned_text_gives_the_terms_of_the_joined_text(make, separator, parts):
    analyzer = make()
    for part in parts:  # the sections were analysed just before, as fields of their own
        analyzer.terms(part)
        french_analyzer().terms(part)
    sectioned = SectionedText(parts, separator)
    assert sectioned == separator.join(parts)
    assert analyzer.terms(sectioned) == chain_terms(analyzer, separator.join(parts))


def test_no_pair_spans_two_sections():
    sectioned = SectionedText(["Jardin partagé", "Potager collectif"], f" {FIELD_BREAK} ")
    assert bigram_analyzer().terms(sectioned) == ["jardin_partag", "potag_collect"]


@pytest.mark.parametrize("value", ["Parentalité", "", ["Santé", "Jeunesse"], []])
def test_facet_terms_equal_what_whoosh_indexes(value):
    analyzer = facet_analyzer()
    assert analyzer.terms(value) == [token.text for token in tokens(value, analyzer, {})]


def test_terms_lists_are_not_shared_between_calls():
    analyzer = french_analyzer()
    first = analyzer.terms("jardin partagé")
    first.append("modifié")
    assert analyzer.terms("jardin partagé") == ["jardin", "partag"]


def test_pairs_are_made_of_stems_only():
    with pytest.raises(ValueError):
        FrenchAnalyzer("spell", pairs=True)


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(WORDY + ["Jardinage", "L’atelier", "de", "x"]) | st.text(max_size=8),
                      max_size=10))
def test_word_terms_are_aligned_with_the_words(words):
    for kind in ("stem", "spell"):
        expected = [NormalizeFilter(kind).term(word) for word in words]
        assert word_terms(words, kind) == expected


def test_word_terms_keep_stop_words_as_none():
    assert word_terms(["Les", "jardins", "de", "l'atelier", "été"]) == [None, "jardin", None, "ateli", None]


# -- acronyms ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("La CAF", ["CAF"]),
    ("la caf", ["CAF"]),
    ("le café", ["caf"]),
    ("l'ALSH", ["ALSH"]),
    ("un pré", ["pre"]),
    ("le PRE", ["PRE"]),
    ("FETE DE QUARTIER", ["fet", "FETE", "quarti"]),
    ("LES ENFANTS", ["enfant"]),
])
def test_acronyms_are_terms_of_their_own(text, expected):
    assert analyze(text) == expected


def test_capitals_in_a_query_look_for_the_acronym_only():
    analyzer = french_analyzer()
    assert [t.text for t in analyzer("FETE", mode="query")] == ["FETE"]
    assert [t.text for t in analyzer("fete", mode="query")] == ["fet"]


def test_no_phrase_pair_is_made_with_a_capitals_term():
    assert bigram_analyzer().terms("FETE DE QUARTIER") == ["fet_quarti"]

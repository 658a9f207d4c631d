"""The benchmark tools: a deterministic generator of valid, realistic fiches, and a runner that completes.

No timing is asserted: the figures are for the benchmark's table, not for tests.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generate import YEARS, fiche_block, file_text, load_profile, write_corpus
from benchmarks.queries import query_mix
from indexer.parse import parse_corpus, parse_text

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _comparable(fiche) -> dict:
    data = fiche.to_dict()
    data.pop("source_file")
    data.pop("source_line")
    return data


def _words(fiche) -> int:
    parts = [fiche.title, fiche.structure, fiche.summary, fiche.body_text(),
             *fiche.keywords, *fiche.public, *fiche.partners, *fiche.initiative]
    return sum(len(part.split()) for part in parts)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    paths = write_corpus(600, out, seed=7, files=3, procs=1)
    result = parse_corpus(out)
    return paths, result


def test_same_seed_same_fiches_other_seed_other_fiches():
    assert fiche_block(42, seed=3) == fiche_block(42, seed=3)
    assert file_text(range(10, 20), seed=3) == file_text(range(10, 20), seed=3)
    assert fiche_block(42, seed=3) != fiche_block(42, seed=4)
    assert fiche_block(42, seed=3) != fiche_block(43, seed=3)


def test_fiches_do_not_depend_on_how_they_are_split_into_files(tmp_path, generated):
    _, split = generated
    write_corpus(600, tmp_path, seed=7, files=1, procs=2)
    whole = parse_corpus(tmp_path)
    assert [_comparable(f) for f in whole.fiches] == [_comparable(f) for f in split.fiches]


def test_generated_files_parse_without_problems_in_the_corpus_format(generated):
    paths, result = generated
    assert [p.name for p in paths] == ["synthetique-1.txt", "synthetique-2.txt", "synthetique-3.txt"]
    assert result.problems == []
    assert len(result.fiches) == 600
    assert len({f.id for f in result.fiches}) == 600
    text = paths[0].read_text(encoding="utf-8")
    assert text.startswith("Les actions des centres sociaux\nNom | Département | Année |\n---|---|---|\n")
    assert text.count("\nActions\n") == 200
    assert "\n- Avec qui cette action a-t-elle été menée ?\n-\nPartenaires d'action:\n" in text
    assert text.count("\n- Territoire concerné\n") == 400
    # The header table gives each fiche its département and year, as in the real exports.
    first = parse_text(fiche_block(0, seed=7)[3]).fiches[0]
    assert result.fiches[0].year in YEARS and result.fiches[0].department
    assert first.title == result.fiches[0].title


def test_facet_values_follow_the_sample_with_wider_departments_years_and_keywords(generated, sample_fiches):
    fiches = generated[1].fiches
    sample_dimensions = {f.dimension for f in sample_fiches}
    sample_statuses = {f.status for f in sample_fiches}
    sample_keywords = {k for f in sample_fiches for k in f.keywords}
    assert {f.dimension for f in fiches} == sample_dimensions
    assert {f.status for f in fiches} == sample_statuses
    statuses = Counter(f.status for f in fiches)
    assert statuses.most_common(1)[0][0] == Counter(f.status for f in sample_fiches).most_common(1)[0][0]
    assert len({f.department for f in fiches}) >= 50
    assert {f.year for f in fiches} <= set(YEARS) and len({f.year for f in fiches}) >= 12
    keywords = Counter(k for f in fiches for k in f.keywords)
    assert len(keywords) >= 40 and sample_keywords <= set(keywords)
    assert keywords.most_common(1)[0][1] > 10 * min(keywords.values())
    assert all(f.keywords and f.initiative and f.public for f in fiches)
    assert "Conseil départemental" in Counter(p for f in fiches for p in f.partners)
    assert sum(1 for f in fiches if f.status == "Terminée" and f.end_reason) > 0
    assert sum(1 for f in fiches if "Autre" in f.initiative and f.initiative_detail) > 0


def test_free_text_is_french_of_realistic_length(generated):
    fiches = generated[1].fiches
    lengths = [_words(f) for f in fiches]
    assert sum(300 <= n <= 800 for n in lengths) >= 0.95 * len(lengths)
    body = "\n".join(f.body_text() for f in fiches)
    assert re.search(r"\b[ld]'[a-zéè]", body) and re.search(r"\bqu'", body)
    assert re.search(r"\n- [A-ZÉ]", body), "bullets inside the free text"
    for accented in ("é", "è", "à", "ç", "œ", "€"):
        assert accented in body
    assert "familles" in body and "habitants" in body


def test_profile_is_drawn_from_the_bundled_sample():
    profile = load_profile()
    assert "Citoyenneté" in profile.dimension.values
    assert "Parentalité" in profile.keywords.values
    assert len(profile.department.values) == 101


def test_query_mix_covers_every_kind_with_0_1_and_3_filters():
    mix = query_mix()
    assert {q.kind for q in mix} == {"1 mot", "2–3 mots", "expression", "paragraphe"}
    assert {q.filter_count for q in mix} == {0, 1, 3}
    assert all(len(q.filters) == q.filter_count for q in mix)
    url = next(q for q in mix if q.filter_count == 3).url()
    assert url.startswith("/api/search?q=") and "dimension=Citoyennet%C3%A9" in url


@pytest.mark.slow
def test_run_prints_the_table_end_to_end_and_reuses_its_work(tmp_path):
    command = [sys.executable, "-m", "benchmarks.run", "--n", "200", "--workdir", str(tmp_path),
               "--duration", "0.2", "--http-duration", "0.3", "--http-requests", "100"]
    first = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    table = first.stdout
    assert table.startswith("### Banc d'essai : 200 fiches synthétiques")
    for row in ("| Analyse (parse_corpus) |", "| Construction, build_index(procs=1) |",
                "| Construction, build_index(procs=2) |", "| Taille de l'index sur disque",
                "| /api/search, tout le mélange — p50 / p95 / p99 |", "| … paragraphe |", "| … 3 filtres |",
                "| Requête classée simple Whoosh", "| Cache (succès)", "| /similar (texte collé)",
                "| /actions/<id>/similar", "| Démarrage à froid", "| HTTP 8 clients, cache activé",
                "| HTTP 32 clients, cache désactivé", "| Mémoire du serveur (",
                "| SQLite : recherche complète", "| Recherche complète : nous / SQLite"):
        assert row in table, row
    assert re.search(r"\| HTTP 32 clients, cache activé \(défaut\) — débit, p50 / p95 \| \d+ req/s, .*, 0 erreur", table)
    results = json.loads((tmp_path / "results-n200-s1-f1.json").read_text(encoding="utf-8"))
    assert results["engine"]["search"]["count"] >= len(query_mix())
    assert results["sqlite"]["search"]["count"] >= len(query_mix())
    if importlib.util.find_spec("tantivy"):
        for row in ("| tantivy : recherche complète (top 10 + extraits + total + facettes)",
                    "| Recherche complète : nous / tantivy (p50, p95) | × ", "| Construction tantivy |"):
            assert row in table, row
        assert "| Mesure | nous | SQLite FTS5 | tantivy | nous / SQLite | nous / tantivy |" in table
        assert results["tantivy"]["search"]["count"] >= len(query_mix())
    else:
        assert "tantivy n'est pas installé" in table

    again = subprocess.run([*command, "--skip-http", "--skip-sqlite"], cwd=PROJECT_DIR,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "(réutilisé)" in again.stdout and "(réutilisée)" in again.stdout
    assert "Démarrage à froid" not in again.stdout and "SQLite" not in again.stdout


# -- the relevance benchmark ------------------------------------------------------------------

POTTERY = "Atelier de poterie intergénérationnel"


@pytest.fixture
def eval_set(tmp_path, sample_fiches):
    """A tiny judged set: one extra fiche beside the sample corpus, three queries."""
    import dataclasses

    from indexer.render import render_corpus

    base = sample_fiches[0]
    other = next(f.department for f in sample_fiches if f.department and f.department != base.department)
    extra = dataclasses.replace(base, title=POTTERY, summary="Des ateliers de poterie et de modelage de l'argile.")
    (tmp_path / "fiches").mkdir()
    (tmp_path / "fiches" / "extra.txt").write_text(render_corpus([extra]), encoding="utf-8")
    judged = {"ATELIER DE POTERIE  intergenerationnel": 3, sample_fiches[1].title: 0}
    lines = [{"id": "k1", "type": "keyword", "q": "poterie", "filters": {}, "judgments": judged},
             {"id": "f1", "type": "filtered", "q": "poterie", "filters": {"department": [other]}, "judgments": judged},
             {"id": "t1", "type": "typo", "q": "xqzwvk", "filters": {}, "judgments": judged}]
    (tmp_path / "queries.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return tmp_path


def test_relevance_runs_queries_through_the_api_with_their_filters(eval_set, sample_corpus):
    from benchmarks.relevance import run

    systems, info = run(eval_set, sample_corpus, "ours")
    assert [s.name for s in systems] == ["ours"]
    assert info["fiches"] == 15 and info["queries"] == 3
    results = {q.id: q for q in systems[0].queries}
    assert results["k1"].titles[0] == POTTERY and results["k1"].grades[0] == 3
    assert results["k1"].metrics == {"ndcg": 1.0, "mrr": 1.0, "recall": 1.0, "success1": 1.0, "zero": 0.0}
    assert POTTERY not in results["f1"].titles
    assert results["t1"].metrics["zero"] == 1.0 and results["t1"].titles == []
    by_type = systems[0].by_type()
    assert list(by_type) == ["keyword", "typo", "filtered"]
    assert systems[0].overall()["ndcg"] == pytest.approx(1 / 3)


def test_relevance_prints_one_table_by_type_the_worst_queries_and_writes_json(eval_set, sample_corpus, tmp_path):
    from click.testing import CliRunner

    from benchmarks.relevance import main

    out = tmp_path / "figures.json"
    result = CliRunner().invoke(main, ["--eval", str(eval_set), "--corpus", str(sample_corpus), "--only", "ours",
                                       "--worst", "2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "| mesure | système | tout | keyword (1) | typo (1) | filtered (1) |" in result.output
    assert "| nDCG@10 | nous | 0.33 | 1.00 | 0.00 | 0.00 |" in result.output
    assert "| zéro résultat | nous |" in result.output
    assert "Les 2 requêtes où nous sommes le plus mauvais" in result.output
    assert "| t1 | typo | xqzwvk | 0.00 | (aucun résultat) |" in result.output
    assert "| k1 |" not in result.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert list(figures["systems"]) == ["ours"]
    assert figures["systems"]["ours"]["queries"]["k1"]["titles"][0] == POTTERY
    assert figures["systems"]["ours"]["by_type"]["keyword"]["ndcg"] == 1.0


def test_relevance_compares_with_tantivy_and_fts5_on_the_same_fiches(eval_set, sample_corpus):
    pytest.importorskip("tantivy")
    from benchmarks.relevance import run

    systems, _ = run(eval_set, sample_corpus, None)
    assert [s.name for s in systems] == ["ours", "tantivy", "sqlite"]
    for system in systems[1:]:
        results = {q.id: q for q in system.queries}
        assert results["k1"].titles[0] == POTTERY, system.name
        assert POTTERY not in results["f1"].titles, system.name
        assert results["t1"].metrics["zero"] == 1.0


def test_relevance_reports_an_unreadable_query_line(eval_set, sample_corpus):
    from click.testing import CliRunner

    from benchmarks.relevance import main

    with (eval_set / "queries.jsonl").open("a", encoding="utf-8") as queries:
        queries.write('{"id": "bad", "q": "x"}\n')
    result = CliRunner().invoke(main, ["--eval", str(eval_set), "--corpus", str(sample_corpus), "--only", "ours"])
    assert result.exit_code == 1
    assert "queries.jsonl:4: requête illisible" in result.output


def test_crafted_worst_cases_answer_200_or_400_never_500(client):
    from benchmarks.worst_case import crafted_cases, send

    cases = crafted_cases()
    assert len(cases) >= 20
    statuses = {case.name: send(client, case).status_code for case in cases}
    assert set(statuses.values()) <= {200, 400}, statuses
    assert statuses["similaires : JSON imbriqué ×1 000"] == 400
    assert statuses["50 valeurs × 6 filtres (refusé)"] == 400
    assert statuses["mot de 10 000 lettres, page + filtre"] == 200


def test_semantic_speed_gives_an_index_random_vectors_and_times_both_paths(sample_fiches, tmp_path):
    from benchmarks.semantic_speed import UNKNOWN_WORD, latencies, with_random_vectors
    from indexer.build import build_index
    from search_app.engine import SearchEngine

    build_index(sample_fiches, tmp_path / "lexical", embed=False)
    index = with_random_vectors(tmp_path / "lexical", tmp_path / "copy")
    engine = SearchEngine(index, cache_size=0, semantic=True)
    assert engine.snapshot().semantic is not None
    p50, p95, partial = latencies(engine, ["jardin", f"jardin {UNKNOWN_WORD}"])
    assert 0 < p50 <= p95 and partial == 1

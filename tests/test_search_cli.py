"""`python -m search_app search|show` (and the combined command): output, exit codes, French messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search_app.cli import main

PROJECT_DIR = Path(__file__).resolve().parent.parent
JARDIN_ID = "jardin-partage-un-outil-de-lien-social-et-de-participation-c-6e949da9"
PELOTON_ID = "projet-le-peloton-de-la-construction-464cb8dc"


@pytest.fixture
def cli(command_line):
    """Runs the search command line in-process: (exit code, stdout, stderr)."""
    return command_line(main)


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app", *args], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=300)


def search_json(cli, index: Path, *args: str) -> dict:
    code, out, err = cli("search", *args, "--json", "--index", str(index))
    assert code == 0, err
    return json.loads(out)


def hit_ids(cli, index: Path, *args: str) -> list[str]:
    return [hit["id"] for hit in search_json(cli, index, *args, "--per-page", "100")["hits"]]


# -- search --------------------------------------------------------------------------------

def test_search_accents_do_not_change_the_ranked_list(cli, sample_index):
    plain = hit_ids(cli, sample_index, "parentalite")
    accented = hit_ids(cli, sample_index, "parentalité")
    assert plain == accented
    assert len(plain) >= 8
    code, out_plain, _ = cli("search", "parentalite", "--index", str(sample_index))
    code, out_accented, _ = cli("search", "parentalité", "--index", str(sample_index))
    assert out_plain.splitlines()[1:] == out_accented.splitlines()[1:]


def test_search_jardins_partages_puts_the_shared_garden_first(cli, sample_index):
    assert hit_ids(cli, sample_index, "jardins partages")[0] == JARDIN_ID
    code, out, err = cli("search", "jardins partages", "--index", str(sample_index))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1] == ("  1. Jardin partagé: un outil de lien social et de participation citoyenne — "
                        f"CENTRE SOCIAL Rosa Parks (Isère, 2015)  [{JARDIN_ID}]")


def test_search_velo_finds_the_cycling_action(cli, sample_index):
    assert hit_ids(cli, sample_index, "velo")[0] == PELOTON_ID
    assert PELOTON_ID in hit_ids(cli, sample_index, "vélos")


def test_search_filter_by_keyword(cli, sample_index, sample_fiches):
    expected = {f.id for f in sample_fiches if "Santé" in f.keywords}
    assert len(expected) == 3
    data = search_json(cli, sample_index, "", "--filter", "keyword=Santé", "--per-page", "100")
    assert data["total"] == 3
    assert {hit["id"] for hit in data["hits"]} == expected
    assert all("Santé" in hit["keywords"] for hit in data["hits"])
    assert data["filters"] == {"keyword": ["Santé"]}
    filtered = search_json(cli, sample_index, "familles", "--filter", "keyword=Santé")
    assert {hit["id"] for hit in filtered["hits"]} <= expected


def test_search_json_output(cli, sample_index):
    data = search_json(cli, sample_index, "jardin")
    assert {"query", "total", "hits", "facets", "suggestion", "page", "per_page"} <= set(data)
    assert data["query"] == "jardin"
    assert data["hits"][0]["id"] == JARDIN_ID
    assert data["hits"][0]["department"] == "Isère"
    assert set(data["facets"]) >= {"dimension", "public", "keyword", "status", "department", "year"}


def test_search_text_output_lists_facet_counts(cli, sample_index):
    code, out, _ = cli("search", "", "--index", str(sample_index))
    assert code == 0
    assert out.splitlines()[0] == "14 résultat(s)"
    assert "  Statut [status] : En cours (10), Terminée (3)" in out.splitlines()


@pytest.mark.parametrize("args, message", [
    (("--filter", "keyword"), "« keyword » : attendu facette=valeur"),
    (("--filter", "couleur=bleu"), "facette inconnue « couleur » : facettes possibles "
                                   "dimension, public, keyword, status, department, year"),
    (("--page", "0"), "--page"),
])
def test_search_usage_errors_exit_2(cli, sample_index, args, message):
    code, out, err = cli("search", "x", *args, "--index", str(sample_index))
    assert code == 2
    assert message in err
    assert out == ""


def test_search_without_an_index_exits_3(cli, tmp_path):
    code, out, err = cli("search", "jardin", "--index", str(tmp_path / "absent"))
    assert code == 3
    assert err == (f"erreur : aucun index dans « {tmp_path / 'absent'} » : "
                   "lancez `python -m indexer build` pour le construire\n")


def test_search_on_a_corrupt_index_exits_3(cli, tmp_path, sample_index):
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    (index / "CURRENT").write_text("disparu\n")
    code, _, err = cli("search", "jardin", "--index", str(index))
    assert code == 3
    assert err == (f"erreur : l'index « {index} » est illisible (la génération « disparu » désignée par "
                   "CURRENT est absente) : reconstruisez-le avec `python -m indexer build`\n")


def test_search_as_a_real_process(sample_index):
    result = run_module("search", "velo", "--index", str(sample_index))
    assert result.returncode == 0, result.stderr
    assert f"[{PELOTON_ID}]" in result.stdout.splitlines()[1]


# -- show ------------------------------------------------------------------------------------------

def test_show_prints_the_fiche_as_json(cli, sample_index, sample_fiches):
    fiche = next(f for f in sample_fiches if f.id == PELOTON_ID)
    code, out, err = cli("show", PELOTON_ID, "--index", str(sample_index))
    assert code == 0, err
    assert json.loads(out) == fiche.to_dict()


def test_show_unknown_id_exits_3(cli, sample_index):
    code, out, err = cli("show", "inconnue-00000000", "--index", str(sample_index))
    assert code == 3
    assert out == ""
    assert err == "erreur : aucune fiche d'identifiant « inconnue-00000000 » dans l'index\n"


def test_the_combined_command_also_builds(cli, tmp_path, sample_corpus):
    code, out, err = cli("build", "--corpus", str(sample_corpus), "--index", str(tmp_path / "index"))
    assert code == 0, err
    assert out.startswith("14 indexées, 0 rejetées")
    assert hit_ids(cli, tmp_path / "index", "velo")[0] == PELOTON_ID

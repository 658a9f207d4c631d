"""`python -m indexer build|add|remove|export`: output, exit codes, French messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from indexer.build import read_current
from indexer.cli import main
from search_app.cli import main as search_main
from indexer.fiche import Fiche
from indexer.parse import parse_corpus
from indexer.render import render_corpus

from tests.test_search_cli import hit_ids, search_json

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_DIR / "corpus" / "actions-centres-sociaux-2015.txt"
JARDIN_ID = "jardin-partage-un-outil-de-lien-social-et-de-participation-c-6e949da9"
PELOTON_ID = "projet-le-peloton-de-la-construction-464cb8dc"


@pytest.fixture
def cli(command_line):
    """Runs the indexer's command line in-process: (exit code, stdout, stderr)."""
    return command_line(main)


@pytest.fixture
def search_cli(command_line):
    return command_line(search_main)


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=300)


# -- build -------------------------------------------------------------------------------

def test_build_prints_the_summary_and_exits_0(tmp_path):
    result = run_module("build", "--corpus", str(SAMPLE.parent), "--index", str(tmp_path / "index"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    generation = read_current(tmp_path / "index").name
    assert result.stdout.startswith(f"14 indexées, 0 rejetées — génération {generation} en ")
    assert result.stdout.rstrip().endswith(f" s dans {tmp_path / 'index'}")


def test_build_with_rejected_fiches_reports_them_and_exits_1(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "a.txt")
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    (corpus / "b-tronque.txt").write_text("\n".join(lines[:300]), encoding="utf-8")
    (corpus / "c-vide.txt").write_text("")
    result = run_module("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{corpus / 'b-tronque.txt'}:272: fiche « Café des parents » incomplète (fichier tronqué ?) : "
        "12 rubriques manquantes : « Qui est à l'initiative de l'action ? », « Territoire concerné », "
        "« Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases. », …",
        f"{corpus / 'c-vide.txt'}:1: fichier vide",
    ]
    assert result.stdout.startswith("18 indexées, 1 rejetées, 1 fichier(s) ignoré(s) — génération ")
    assert read_current(tmp_path / "index")


def test_build_without_any_fiche_keeps_the_served_index(cli, tmp_path, sample_index):
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    served = read_current(index).name
    empty = tmp_path / "vide"
    empty.mkdir()
    code, out, err = cli("build", "--corpus", str(empty), "--index", str(index))
    assert code == 1
    assert err == f"{empty}:0: aucun fichier .txt dans le dossier du corpus\n"
    assert out == (f"0 indexées, 0 rejetées, 1 fichier(s) ignoré(s) — aucune fiche lue dans {empty} : "
                   "l'index en service n'a pas changé\n")
    assert read_current(index).name == served


def test_build_accepts_a_single_corpus_file(cli, tmp_path):
    code, out, _ = cli("build", "--corpus", str(SAMPLE), "--index", str(tmp_path / "index"))
    assert code == 0
    assert out.startswith("14 indexées, 0 rejetées")


# -- export ----------------------------------------------------------------------------------

def test_export_writes_json_lines_that_parse_back(cli, sample_fiches):
    code, out, err = cli("export", "--corpus", str(SAMPLE.parent))
    assert code == 0
    assert err == "14 lues, 0 rejetées\n"
    lines = out.splitlines()
    assert len(lines) == 14
    assert [Fiche.from_dict(json.loads(line)) for line in lines] == sample_fiches


def test_export_with_a_bad_file_exits_1(cli, tmp_path):
    (tmp_path / "latin1.txt").write_bytes(SAMPLE.read_text(encoding="utf-8").encode("cp1252"))
    shutil.copy(SAMPLE, tmp_path / "utf8.txt")
    code, out, err = cli("export", "--corpus", str(tmp_path))
    assert code == 1
    assert len(out.splitlines()) == 14
    assert err.splitlines()[0].startswith(f"{tmp_path / 'latin1.txt'}:2: fichier non UTF-8")
    assert err.splitlines()[-1] == "14 lues, 14 rejetées"


# -- add, remove -----------------------------------------------------------------------------------

def test_add_and_remove(cli, search_cli, tmp_path, sample_index, sample_fiches):
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    turin = next(f for f in sample_fiches if f.title == "Sortie Turin")
    changed = Fiche.from_dict({**turin.to_dict(), "summary": "Descente en luge au col."})
    new = Fiche.from_dict({**turin.to_dict(), "title": "Sortie Chamonix", "summary": "Randonnée glaciaire."})
    source = tmp_path / "ajout.txt"
    source.write_text(render_corpus([changed, new]), encoding="utf-8")
    parsed = parse_corpus(source).fiches
    assert parsed[0].id == turin.id

    code, out, err = cli("add", str(source), "--index", str(index))
    assert code == 0, err
    assert out.startswith(f"2 indexées, 0 rejetées — génération {read_current(index).name}")
    assert hit_ids(search_cli, index, "luge") == [turin.id]
    assert hit_ids(search_cli, index, "glaciaire") == [parsed[1].id]
    assert search_json(search_cli, index, "")["total"] == 15

    code, out, err = cli("remove", parsed[1].id, "--index", str(index))
    assert code == 0, err
    assert out == f"fiche {parsed[1].id} retirée — génération {read_current(index).name}\n"
    assert search_json(search_cli, index, "")["total"] == 14

    code, out, err = cli("remove", parsed[1].id, "--index", str(index))
    assert code == 3
    assert err == f"erreur : aucune fiche d'identifiant « {parsed[1].id} » dans l'index\n"


def test_add_a_file_with_rejected_fiches_exits_1(cli, tmp_path, sample_index):
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    served = read_current(index).name
    source = tmp_path / "vide.txt"
    source.write_text("Actions\n\n")
    code, out, err = cli("add", str(source), "--index", str(index))
    assert code == 1
    assert err == f"{source}:1: bloc « Actions » sans titre\n"
    assert out == f"0 indexées, 1 rejetées — génération {served}\n"
    assert read_current(index).name == served


def test_system_errors_are_reported_in_french(cli, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    code, out, err = cli("build", "--corpus", str(SAMPLE), "--index", str(blocker / "index"))
    assert code == 3
    assert err == f"erreur : ce n'est pas un dossier : {blocker / 'index'}\n"


# -- builds that would shrink the served index, the lock around reading the corpus ---------------

def served_copy(tmp_path: Path, sample_index: Path) -> Path:
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    return index


def test_a_truncated_export_is_refused_unless_forced(cli, search_cli, tmp_path, sample_index):
    index, corpus = served_copy(tmp_path, sample_index), tmp_path / "corpus"
    corpus.mkdir()
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    (corpus / "export.txt").write_text("\n".join(lines[:300]), encoding="utf-8")
    served = read_current(index).name
    code, out, err = cli("build", "--corpus", str(corpus), "--index", str(index))
    assert code == 1
    assert out == ("4 indexées, 1 rejetées — construction refusée : la nouvelle version perdrait 10 des 14 "
                   "fiches en service (71 %, maximum 20 %) : l'index en service n'a pas changé "
                   "(relancez avec --force pour le remplacer quand même)\n")
    assert read_current(index).name == served
    code, out, err = cli("build", "--corpus", str(corpus), "--index", str(index), "--force")
    assert code == 1
    assert out.startswith("4 indexées, 1 rejetées — génération ")
    assert search_json(search_cli, index, "")["total"] == 4


def test_a_whole_file_rejected_is_named_and_refused(cli, tmp_path, sample_index, monkeypatch):
    index, corpus = served_copy(tmp_path, sample_index), tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "a.txt")
    (corpus / "b.txt").write_bytes(SAMPLE.read_text(encoding="utf-8").encode("cp1252"))
    served = read_current(index).name
    code, out, _ = cli("build", "--corpus", str(corpus), "--index", str(index))
    assert code == 1
    assert out.startswith(f"14 indexées, 14 rejetées — construction refusée : fichier(s) entièrement rejeté(s) : "
                          f"« {corpus / 'b.txt'} » : l'index en service n'a pas changé")
    assert read_current(index).name == served
    monkeypatch.setenv("SEARCH_MAX_DROP_PERCENT", "beaucoup")
    code, _, err = cli("build", "--corpus", str(corpus), "--index", str(index))
    assert code == 2
    assert "réglage invalide : SEARCH_MAX_DROP_PERCENT='beaucoup' n'est pas un nombre" in err


def test_the_drop_threshold_is_configurable(cli, search_cli, tmp_path, sample_index, monkeypatch):
    index, corpus = served_copy(tmp_path, sample_index), tmp_path / "corpus"
    corpus.mkdir()
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    (corpus / "export.txt").write_text("\n".join(lines[:300]), encoding="utf-8")
    monkeypatch.setenv("SEARCH_MAX_DROP_PERCENT", "80")
    code, out, _ = cli("build", "--corpus", str(corpus), "--index", str(index))
    assert code == 1 and " — génération " in out
    assert search_json(search_cli, index, "")["total"] == 4


def test_a_corpus_file_over_the_size_cap_is_rejected(cli, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "a.txt")
    (corpus / "b.txt").write_bytes(SAMPLE.read_bytes() * 3)
    monkeypatch.setenv("SEARCH_MAX_FILE_BYTES", str(SAMPLE.stat().st_size))
    code, out, err = cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert code == 1
    assert err.startswith(f"{corpus / 'b.txt'}:0: fichier trop volumineux (")
    assert out.startswith("14 indexées, 0 rejetées, 1 fichier(s) ignoré(s) — génération ")


def test_the_lock_is_taken_before_reading_the_corpus(cli, search_cli, tmp_path, sample_index, monkeypatch):
    """A build started while an `add` holds the lock reads the corpus only once the add is done."""
    import indexer.cli as cli_module
    from indexer.build import add_fiches, build_lock

    index, corpus = served_copy(tmp_path, sample_index), tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SAMPLE, corpus / "a.txt")
    chamonix = Fiche.from_dict({**parse_corpus(SAMPLE).fiches[0].to_dict(), "title": "Sortie Chamonix"})
    read, held, failures = threading.Event(), threading.Event(), []
    real_parse = cli_module.parse_corpus

    def parse_and_note(*args, **kwargs):
        read.set()
        return real_parse(*args, **kwargs)

    def concurrent_add() -> None:
        try:
            with build_lock(index):
                held.set()
                read.wait(2)  # the old code read the corpus here, without the lock
                (corpus / "b.txt").write_text(render_corpus([chamonix]), encoding="utf-8")
                add_fiches(parse_corpus(corpus / "b.txt").fiches, index)
        except BaseException as exc:  # reported below
            failures.append(exc)

    monkeypatch.setattr(cli_module, "parse_corpus", parse_and_note)
    adder = threading.Thread(target=concurrent_add)
    adder.start()
    assert held.wait(10)
    code, out, err = cli("build", "--corpus", str(corpus), "--index", str(index))
    adder.join(30)
    assert not failures
    assert code == 0, err
    assert out.startswith("15 indexées, 0 rejetées")
    assert search_json(search_cli, index, "chamonix")["total"] == 1


def test_a_stray_nul_byte_keeps_the_other_fiches_of_the_file(cli, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(SAMPLE.read_bytes().replace(b"recrudescence", b"recru\x00descence", 1))
    code, out, err = cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert code == 1
    assert err == (f"{corpus / 'a.txt'}:42: caractère nul (octet 0x00 en colonne 27) ; "
                   "fiche « Les grossesses juvéniles » rejetée\n")
    assert out.startswith("13 indexées, 1 rejetées — génération ")

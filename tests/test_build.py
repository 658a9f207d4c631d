"""Index builds: atomic generations, incremental add/remove, the writer lock, damaged indexes."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from whoosh.qparser import MultifieldParser, OrGroup

from indexer.build import (
    CURRENT_FILE,
    GENERATIONS_DIR,
    build_index,
    build_lock,
    fall_back_to_previous,
    open_current,
    read_current,
    remove_fiche,
    add_fiches,
)
from indexer.errors import BuildBusy, FicheNotFound, IndexCorrupt, IndexNotFound
from indexer.fiche import Fiche
from indexer.generations import file_crc32
from indexer.schema import TEXT_FIELD_BOOSTS

PROJECT_DIR = Path(__file__).resolve().parent.parent
QUERIES = ("parentalité", "jardin partagé", "vélo", "familles isolées", "santé")


def ranked(root: Path, text: str) -> list[str]:
    _, ix = open_current(root)
    query = MultifieldParser(list(TEXT_FIELD_BOOSTS), ix.schema, group=OrGroup).parse(text)
    with ix.searcher() as searcher:
        return [hit["id"] for hit in searcher.search(query, limit=None)]


def answers(root: Path) -> dict[str, list[str]]:
    return {query: ranked(root, query) for query in QUERIES}


def doc_count(root: Path) -> int:
    _, ix = open_current(root)
    return ix.doc_count()


def generation_names(root: Path) -> set[str]:
    return {p.name for p in (root / GENERATIONS_DIR).iterdir()}


@pytest.fixture
def index_root(tmp_path, sample_fiches) -> Path:
    root = tmp_path / "index"
    build_index(sample_fiches, root)
    return root


def new_fiche(**changes) -> Fiche:
    base = Fiche(id="atelier-velo-test-00000001", title="Atelier de réparation de vélos",
                 structure="Centre social Test - Gironde", department="Gironde", year="2016",
                 status="En cours", dimension="Services", keywords=["Mobilité"],
                 summary="Les habitants réparent ensemble leurs bicyclettes.")
    return dataclasses.replace(base, **changes)


# -- full builds ---------------------------------------------------------------------

def test_build_serves_a_complete_generation(index_root):
    generation = read_current(index_root)
    assert (index_root / CURRENT_FILE).read_text() == generation.name + "\n"
    assert generation.path == index_root / GENERATIONS_DIR / generation.name
    assert doc_count(index_root) == 14
    assert ranked(index_root, "jardins partages")[0].startswith("jardin-partage-un-outil")


def test_rebuild_switches_and_keeps_only_the_previous_generation(index_root, sample_fiches):
    first = read_current(index_root).name
    second = build_index(sample_fiches[:5], index_root).generation.name
    assert read_current(index_root).name == second != first
    assert generation_names(index_root) == {first, second}
    assert doc_count(index_root) == 5
    third = build_index(sample_fiches, index_root).generation.name
    assert generation_names(index_root) == {second, third}
    assert doc_count(index_root) == 14


def test_readers_see_the_old_generation_until_the_switch(index_root, sample_fiches):
    before = answers(index_root)
    old = read_current(index_root)
    _, old_ix = open_current(index_root)
    seen = {}

    def during(generation):
        seen["current"] = read_current(index_root).name
        seen["answers"] = answers(index_root)
        seen["new_docs"] = len(os.listdir(generation.path))

    report = build_index(sample_fiches[:3], index_root, before_switch=during)
    assert seen["current"] == old.name
    assert seen["answers"] == before
    assert seen["new_docs"] > 0
    assert read_current(index_root).name == report.generation.name
    with old_ix.searcher() as searcher:
        assert searcher.doc_count() == 14


@pytest.mark.parametrize("interruption", [RuntimeError("disque plein"), KeyboardInterrupt()])
def test_failed_or_interrupted_build_leaves_the_old_index_serving(index_root, sample_fiches, interruption):
    before, served = answers(index_root), read_current(index_root).name
    names = generation_names(index_root)

    def fail(generation):
        raise interruption

    with pytest.raises(type(interruption)):
        build_index(sample_fiches[:2], index_root, before_switch=fail)
    assert read_current(index_root).name == served
    assert answers(index_root) == before
    assert generation_names(index_root) == names
    build_index(sample_fiches, index_root)
    assert answers(index_root) == before


def test_leftovers_of_killed_builds_are_removed_not_kept_as_previous(index_root, sample_fiches):
    served = read_current(index_root).name
    leftover = index_root / GENERATIONS_DIR / "99999999999999999999-1"
    leftover.mkdir()
    (leftover / "MAIN_half.seg").write_bytes(b"partial")
    (index_root / f"{CURRENT_FILE}.4242.tmp").write_text("99999999999999999999-1\n")
    new = build_index(sample_fiches, index_root).generation.name
    assert generation_names(index_root) == {served, new}
    assert not list(index_root.glob("CURRENT.*.tmp"))


# -- incremental updates ------------------------------------------------------------------

def test_add_inserts_a_new_fiche_as_a_new_generation(index_root):
    old = read_current(index_root)
    generation = add_fiches([new_fiche()], index_root)
    assert generation.name != old.name
    assert doc_count(index_root) == 15
    assert ranked(index_root, "bicyclettes") == ["atelier-velo-test-00000001"]
    assert generation_names(index_root) == {old.name, generation.name}


def test_add_replaces_a_fiche_with_the_same_id(index_root, sample_fiches):
    turin = next(f for f in sample_fiches if f.title == "Sortie Turin")
    assert turin.id in ranked(index_root, "pique-nique")
    changed = dataclasses.replace(turin, summary="Une excursion en montagne avec des luges.")
    add_fiches([changed], index_root)
    assert doc_count(index_root) == 14
    assert ranked(index_root, "luges") == [turin.id]
    assert turin.id not in ranked(index_root, "pique-nique")


def test_add_nothing_keeps_the_served_generation(index_root):
    served = read_current(index_root).name
    assert add_fiches([], index_root).name == served
    assert generation_names(index_root) == {served}


def test_remove_deletes_one_fiche(index_root, sample_fiches):
    turin = next(f for f in sample_fiches if f.title == "Sortie Turin")
    remove_fiche(turin.id, index_root)
    assert doc_count(index_root) == 13
    assert turin.id not in ranked(index_root, "Turin")


def test_remove_unknown_id_raises_and_changes_nothing(index_root):
    served, names = read_current(index_root).name, generation_names(index_root)
    with pytest.raises(FicheNotFound) as error:
        remove_fiche("pas-une-fiche-00000000", index_root)
    assert str(error.value) == "aucune fiche d'identifiant « pas-une-fiche-00000000 » dans l'index"
    assert read_current(index_root).name == served
    assert generation_names(index_root) == names
    assert doc_count(index_root) == 14


def test_add_to_a_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexNotFound) as error:
        add_fiches([new_fiche()], tmp_path / "rien")
    assert str(error.value) == (f"aucun index dans « {tmp_path / 'rien'} » : "
                                "lancez `python -m indexer build` pour le construire")


# -- the writer lock -----------------------------------------------------------------------

def test_lock_held_by_another_thread_makes_a_build_wait_then_give_up(index_root, sample_fiches):
    held, release = threading.Event(), threading.Event()

    def holder():
        with build_lock(index_root):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(30)
        with pytest.raises(BuildBusy) as error:
            build_index(sample_fiches, index_root, lock_timeout=0.2)
        assert str(error.value) == (f"une autre construction de l'index « {index_root} » est en cours "
                                    "(attendu 0 s) ; réessayez plus tard")
    finally:
        release.set()
        thread.join()
    build_index(sample_fiches, index_root, lock_timeout=5)


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from indexer.build import build_lock
with build_lock(Path(sys.argv[1])):
    print("verrouillé", flush=True)
    time.sleep(120)
"""


def test_lock_of_a_killed_process_does_not_block(index_root, sample_fiches):
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(index_root)], cwd=PROJECT_DIR,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "verrouillé"
        with pytest.raises(BuildBusy):
            with build_lock(index_root, timeout=0.2):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    assert (index_root / "build.lock").exists()
    with build_lock(index_root, timeout=30):
        pass
    build_index(sample_fiches, index_root, lock_timeout=30)
    assert doc_count(index_root) == 14


def test_a_process_forked_during_a_build_does_not_keep_the_lock(index_root):
    with build_lock(index_root):
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
    try:
        with build_lock(index_root, timeout=10):
            pass
        assert os.waitpid(child, os.WNOHANG) == (0, 0), "the child should still be running"
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


# -- damaged indexes --------------------------------------------------------------------------

def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFound):
        open_current(tmp_path)


def _point_current_at_missing(root: Path) -> None:
    (root / CURRENT_FILE).write_text("01234567890123456789-1\n")


def _garbage_current(root: Path) -> None:
    (root / CURRENT_FILE).write_bytes(b"\xff\xfe\x00garbage\x9c\n" * 3)


def _escaping_current(root: Path) -> None:
    (root / CURRENT_FILE).write_text("../../..\n")


def _empty_current(root: Path) -> None:
    (root / CURRENT_FILE).write_text("")


def _garbage_toc(root: Path) -> None:
    for toc in read_current(root).path.glob("*.toc"):
        toc.write_bytes(os.urandom(toc.stat().st_size))


def _segment_files(root: Path, suffix: str = "") -> list[Path]:
    files = [f for f in read_current(root).path.iterdir()
             if f.name.startswith("MAIN_") and f.name != "MAIN_WRITELOCK" and f.name.endswith(suffix)]
    assert files, f"no segment file ending in {suffix!r}"
    return files


def _same_size_garbage(files: list[Path]) -> None:
    for file in files:
        file.write_bytes((b"\x00garbage" * (file.stat().st_size // 8 + 1))[:file.stat().st_size])


def _garbage_term_dictionary(root: Path) -> None:
    _same_size_garbage(_segment_files(root, ".trm"))


def _garbage_stored_records(root: Path) -> None:
    _same_size_garbage(_segment_files(root, "_stored.col"))


def _truncated_segments(root: Path) -> None:
    for segment in _segment_files(root):
        data = segment.read_bytes()
        segment.write_bytes(data[:len(data) // 2])


def _deleted_postings(root: Path) -> None:
    for segment in _segment_files(root, ".pst"):
        segment.unlink()


def _garbage_manifest(root: Path) -> None:
    (read_current(root).path / "generation.json").write_bytes(b"\xff{pas du json")


def _emptied_generation(root: Path) -> None:
    for file in read_current(root).path.iterdir():
        file.unlink()


@pytest.mark.parametrize("damage, detail", [
    (_point_current_at_missing, "la génération « 01234567890123456789-1 » désignée par CURRENT est absente"),
    (_garbage_current, "le fichier CURRENT ne contient pas un nom de génération valide"),
    (_escaping_current, "le fichier CURRENT ne contient pas un nom de génération valide"),
    (_empty_current, "le fichier CURRENT ne contient pas un nom de génération valide"),
])
def test_unusable_current_file_is_reported_and_build_recovers(index_root, sample_fiches, damage, detail):
    before = answers(index_root)
    damage(index_root)
    with pytest.raises(IndexCorrupt) as error:
        open_current(index_root)
    assert str(error.value) == (f"l'index « {index_root} » est illisible ({detail}) : "
                                "reconstruisez-le avec `python -m indexer build`")
    build_index(sample_fiches, index_root)
    assert answers(index_root) == before


@pytest.mark.parametrize("damage, detail", [
    (_garbage_toc, "fichiers d'index endommagés ou manquants : "),
    (_garbage_term_dictionary, "fichiers d'index endommagés ou manquants : "),
    (_garbage_stored_records, "fichiers d'index endommagés ou manquants : "),
    (_truncated_segments, "fichier « MAIN_"),
    (_deleted_postings, "fichier « MAIN_"),
    (_emptied_generation, "fichiers d'index endommagés ou manquants : "),
    (_garbage_manifest, "liste des fichiers generation.json illisible"),
])
def test_damaged_index_files_are_reported_and_build_recovers(index_root, sample_fiches, damage, detail):
    before = answers(index_root)
    path = read_current(index_root).path
    damage(index_root)
    with pytest.raises(IndexCorrupt) as error:
        open_current(index_root)
    message = str(error.value)
    assert message.startswith(f"l'index « {path} » est illisible ({detail}")
    assert message.endswith(") : reconstruisez-le avec `python -m indexer build`")
    with pytest.raises(IndexCorrupt):
        add_fiches([new_fiche()], index_root)
    build_index(sample_fiches, index_root)
    assert answers(index_root) == before


def test_build_recovers_when_generations_is_not_a_folder(tmp_path, sample_fiches):
    root = tmp_path / "index"
    root.mkdir()
    (root / GENERATIONS_DIR).write_text("déchets")
    (root / CURRENT_FILE).write_text("x\n")
    with pytest.raises(IndexCorrupt):
        open_current(root)
    build_index(sample_fiches, root)
    assert doc_count(root) == 14


def test_truncated_file_is_named_in_the_message(index_root):
    postings = _segment_files(index_root, ".pst")[0]
    size = postings.stat().st_size
    postings.write_bytes(postings.read_bytes()[:10])
    with pytest.raises(IndexCorrupt) as error:
        open_current(index_root)
    assert str(error.value) == (
        f"l'index « {postings.parent} » est illisible (fichier « {postings.name} » tronqué ou modifié "
        f"(10 octets au lieu de {size})) : reconstruisez-le avec `python -m indexer build`")


def test_generation_without_manifest_still_opens(index_root):
    (read_current(index_root).path / "generation.json").unlink()
    assert doc_count(index_root) == 14


def test_incremental_generations_get_their_own_manifest(index_root):
    add_fiches([new_fiche()], index_root)
    path = read_current(index_root).path
    listed = json.loads((path / "generation.json").read_text())["files"]
    assert listed == {f.name: f.stat().st_size for f in path.iterdir()
                      if f.name not in ("generation.json", "MAIN_WRITELOCK")}
    assert doc_count(index_root) == 15


# -- leftovers of crashes, full disks, damaged generations ---------------------------------------

def overwrite_postings(root: Path, size: int = 64 * 1024) -> Path:
    """Overwrites `size` bytes in the middle of the served postings file, keeping its size."""
    postings = _segment_files(root, ".pst")[0]
    length = postings.stat().st_size
    with open(postings, "r+b") as handle:
        handle.seek(max(0, length // 2 - size // 2))
        handle.write(b"\xa5" * min(size, length))
    assert postings.stat().st_size == length
    return postings


def test_leftovers_are_removed_before_the_new_generation_is_written(index_root, sample_fiches):
    previous = read_current(index_root).name
    served = build_index(sample_fiches, index_root).generation.name
    stale = index_root / GENERATIONS_DIR / "99999999999999999999-7"
    stale.mkdir()
    (stale / "MAIN_x.pst").write_bytes(b"\0" * 4096)
    (index_root / f"{CURRENT_FILE}.4242.tmp").write_text("99999999999999999999-7")
    (index_root / f"{CURRENT_FILE}.{os.getpid()}.tmp").mkdir()
    seen = {}

    def during(generation):
        seen["names"] = generation_names(index_root)
        seen["tmp"] = sorted(p.name for p in index_root.glob("CURRENT.*.tmp"))
        seen["new"] = generation.name

    build_index(sample_fiches, index_root, before_switch=during)
    assert seen["names"] == {previous, served, seen["new"]}
    assert seen["tmp"] == []
    assert generation_names(index_root) == {served, seen["new"]}
    assert doc_count(index_root) == 14


def test_disk_full_while_writing_current_leaves_nothing_behind(index_root, sample_fiches, monkeypatch):
    served, names = read_current(index_root).name, generation_names(index_root)
    real_replace = os.replace

    def full_disk(source, target, *args, **kwargs):
        if Path(target).name == CURRENT_FILE:
            raise OSError(errno.ENOSPC, "No space left on device", str(source))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr("indexer.build.os.replace", full_disk)
    with pytest.raises(OSError):
        build_index(sample_fiches[:3], index_root)
    assert read_current(index_root).name == served
    assert generation_names(index_root) == names
    assert not list(index_root.glob("CURRENT.*.tmp"))
    monkeypatch.setattr("indexer.build.os.replace", real_replace)
    build_index(sample_fiches[:3], index_root)
    assert doc_count(index_root) == 3


def test_manifest_records_a_checksum_of_every_file(index_root):
    path = read_current(index_root).path
    manifest = json.loads((path / "generation.json").read_text())
    assert set(manifest["crc32"]) == set(manifest["files"])
    assert manifest["crc32"] == {name: file_crc32(path / name) for name in manifest["files"]}


def test_postings_overwritten_in_place_are_detected_by_verification(index_root):
    postings = overwrite_postings(index_root)
    open_current(index_root)[1].close()  # the cheap check cannot see it
    with pytest.raises(IndexCorrupt) as error:
        open_current(index_root, verify=True)
    assert str(error.value) == (
        f"l'index « {postings.parent} » est illisible (fichier « {postings.name} » endommagé "
        "(somme de contrôle différente)) : reconstruisez-le avec `python -m indexer build`")
    with pytest.raises(IndexCorrupt):
        add_fiches([new_fiche()], index_root)


def test_fall_back_serves_the_previous_intact_generation(index_root, sample_fiches):
    previous = read_current(index_root).name
    build_index(sample_fiches[:5], index_root)
    overwrite_postings(index_root)
    fallback = fall_back_to_previous(index_root)
    assert fallback is not None and fallback.name == previous
    assert read_current(index_root).name == previous
    assert doc_count(index_root) == 14


def test_no_fall_back_without_an_older_intact_generation(index_root):
    served = read_current(index_root).name
    overwrite_postings(index_root)
    assert fall_back_to_previous(index_root) is None
    assert read_current(index_root).name == served


def test_the_lock_is_reentrant_within_a_thread_only(index_root, sample_fiches):
    with build_lock(index_root, timeout=1):
        build_index(sample_fiches[:2], index_root, lock_timeout=1)
        outcome = {}

        def other():
            try:
                build_index(sample_fiches, index_root, lock_timeout=0.2)
            except BuildBusy:
                outcome["busy"] = True

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert outcome == {"busy": True}
    assert doc_count(index_root) == 2

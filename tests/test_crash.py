"""Crash safety of `python -m indexer build`: SIGKILL at random points and Ctrl-C leave the old index serving."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from whoosh.qparser import MultifieldParser, OrGroup

from indexer.build import GENERATIONS_DIR, build_index, build_lock, open_current, read_current
from indexer.schema import TEXT_FIELD_BOOSTS

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_DIR / "corpus" / "actions-centres-sociaux-2015.txt"
COPIES = 700  # 9 800 fiches: parallel writer (above PARALLEL_THRESHOLD), and a build that outlasts the kills
KILL_RUNS = 5
SEED = 20151


QUERIES = ("parentalité", "jardin partagé", "vélo", "familles isolées", "santé")


def answers(root: Path) -> dict[str, list[str]]:
    """Ranked ids for a few queries, read straight from the served generation."""
    _, ix = open_current(root)
    parser = MultifieldParser(list(TEXT_FIELD_BOOSTS), ix.schema, group=OrGroup)
    with ix.searcher() as searcher:
        return {q: [hit["id"] for hit in searcher.search(parser.parse(q), limit=None)] for q in QUERIES}


def doc_count(root: Path) -> int:
    return open_current(root)[1].doc_count()


def generation_names(root: Path) -> set[str]:
    return {p.name for p in (root / GENERATIONS_DIR).iterdir()}


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    data = SAMPLE.read_bytes()
    blocks = data[data.index(b"\nActions\n") + 1:]
    folder = tmp_path_factory.mktemp("big-corpus")
    (folder / "gros.txt").write_bytes(data + b"\n" + blocks * COPIES)
    return folder


def start_build(corpus: Path, root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", "build", "--corpus", str(corpus), "--index", str(root)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def live_group_members(pgid: int) -> list[int]:
    """Processes (not zombies) still in the process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def reap_group(process: subprocess.Popen) -> None:
    """Kills what is left of a build we started (its own process group)."""
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=60)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture
def served(tmp_path, sample_fiches) -> Path:
    root = tmp_path / "index"
    build_index(sample_fiches, root)
    return root


def test_sigkill_at_random_points_leaves_the_previous_index_serving(served, big_corpus, sample_corpus):
    from search_app.engine import SearchEngine
    from search_app.results import SearchRequest

    before, generation = answers(served), read_current(served).name
    engine = SearchEngine(served, cache_size=0)
    engine_before = [hit.id for hit in engine.search(SearchRequest.make("parentalité")).hits]
    rng = random.Random(SEED)
    killed_while_writing = 0
    for run in range(KILL_RUNS):
        names = generation_names(served)
        process = start_build(big_corpus, served)
        try:
            if rng.random() < 0.25:
                time.sleep(rng.uniform(0.1, 1.0))  # start-up or parsing
            else:
                assert wait_for(lambda: len(generation_names(served)) > len(names), 120)
                time.sleep(rng.uniform(0.0, 3.0))  # writing (about 5 s) or switching
            writing = len(generation_names(served)) > 1
            process.send_signal(signal.SIGKILL)
            process.wait(60)
            assert process.returncode == -signal.SIGKILL, f"run {run}: the build ended before the kill"
            killed_while_writing += writing
            assert wait_for(lambda: not live_group_members(process.pid), 30), \
                f"run {run}: worker processes outlived the killed build"
        finally:
            reap_group(process)
        assert read_current(served).name == generation
        assert answers(served) == before
        assert [hit.id for hit in engine.search(SearchRequest.make("parentalité")).hits] == engine_before
        with build_lock(served, timeout=30):
            pass
    assert killed_while_writing >= 1, "no kill landed while the new generation was being written"
    leftovers = generation_names(served) - {generation}
    rebuilt = subprocess.run(
        [sys.executable, "-m", "indexer", "build", "--corpus", str(sample_corpus), "--index", str(served)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("14 indexées, 0 rejetées — génération ")
    new = read_current(served).name
    assert new != generation
    assert generation_names(served) == {generation, new}
    assert not leftovers & generation_names(served)
    assert answers(served) == before
    assert [hit.id for hit in engine.search(SearchRequest.make("parentalité")).hits] == engine_before


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3])
def test_ctrl_c_mid_build_leaves_the_old_index_intact(served, big_corpus, delay):
    """Ctrl-C at several points after the new generation appears (worker start-up included)."""
    before, generation = answers(served), read_current(served).name
    names = generation_names(served)
    process = start_build(big_corpus, served)
    try:
        assert wait_for(lambda: len(generation_names(served)) > len(names), 120), "the build never started writing"
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 130, err
        assert err.strip().splitlines()[-1] == "interrompu : l'index en service n'a pas changé"
        assert "Traceback" not in err
        assert out == ""
        assert wait_for(lambda: not live_group_members(process.pid), 30)
    finally:
        reap_group(process)
    assert read_current(served).name == generation
    assert generation_names(served) == names
    assert answers(served) == before
    assert doc_count(served) == 14
    assert (served / GENERATIONS_DIR / generation).is_dir()
